/**
 * `drover gc --keep N`: remove old releases of every app, keeping the N newest (by install time,
 * then serial) and always `current` and `previous`. Removal renames a release to `.trash-*` first,
 * so a crash never leaves half a release under its real name. With a workspace, the lock is taken,
 * leftover staging directories of interrupted installs are removed too, and the delta seeds are
 * bounded (DESIGN §10): those of apps no longer in the target go, and of each app at most
 * `--seeds N` (default 2) stay, the current releases' first, then the previous ones'.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { command } from "./gc.ts";
 * const out: string[] = [];
 * const code = await command.run(["--help"], { stdout: (t) => out.push(t), stderr: () => {}, env: {}, stderrIsTTY: false });
 * assert.ok(code === 0 && out.join("").startsWith("Usage: drover gc "));
 * ```
 * @module
 */
import { readdir, readFile, realpath, stat } from "node:fs/promises";
import { join } from "node:path";
import { scanApps } from "../app/scan_apps.ts";
import { appKey } from "../app/app_key.ts";
import { writeStatus } from "../app/status_writer.ts";
import { defineCommand, type ErrorEntry, errorEntry, numberOption, optional } from "../cli/define_command.ts";
import { cleanLeftovers, removeRelease } from "../fs/symlink.ts";
import { UsageError } from "../cli/usage_error.ts";
import { Workspace } from "../fs/workspace.ts";
import { pruneSeeds, type SeedPrune } from "../delta/seeds.ts";
import {
  HELP_COMMON,
  HELP_LOCK,
  HELP_TARGET,
  HELP_WORKSPACE,
  LOCKING,
  printJson,
  TARGET,
  targetOf,
  waitOf,
  WORKSPACE,
} from "./_shared.ts";

/** One app in the `gc --json` document. */
export interface AppGc {
  name: string;
  dir: string;
  kept: string[];
  removed: string[];
}

/** The `gc --json` document. */
export interface GcReport {
  command: "gc";
  ok: boolean;
  exitCode: number;
  keep: number;
  apps: AppGc[];
  /** With a workspace: the delta seeds kept and removed (`<owner~app>/<sha256>.blob`), bytes freed. */
  seeds?: SeedPrune;
  errors: ErrorEntry[];
}

/** Delta seeds kept per app by default. */
const SEEDS = 2;

async function installTime(dir: string): Promise<{ at: number; serial: number }> {
  let at = NaN;
  let serial = -1;
  try {
    const deploy = JSON.parse(await readFile(join(dir, ".deploy"), "utf8"));
    at = Date.parse(deploy?.installedAt ?? "");
    if (Number.isSafeInteger(deploy?.serial)) serial = deploy.serial;
  } catch { /* radiodan or broken: use mtimes */ }
  if (!Number.isFinite(at)) {
    at = (await stat(join(dir, ".deploy")).catch(() => stat(dir)).catch(() => undefined))?.mtimeMs ?? 0;
  }
  return { at, serial };
}

/** `drover gc`. */
export const command = defineCommand({
  name: "gc",
  summary: "prune old releases, never current/previous",
  help: "Usage: drover gc --target DIR --keep N [--workspace DIR] [--seeds N] [--json]\n\n" +
    "Keeps the N newest releases of each app (by install time, then serial), and always `current` and\n" +
    "`previous` (even when N is smaller); removes the others. With --workspace, records the run\n" +
    "(lastGc, and per-app errors) in status.json, and bounds the delta seeds: those of apps no longer\n" +
    "in the target are removed, and of each app at most --seeds stay (current releases' first).\n\nOptions:\n" +
    HELP_TARGET +
    "  --keep N              releases to keep per app, current and previous included\n" + HELP_WORKSPACE +
    `  --seeds N             delta seeds to keep per app (default ${SEEDS}; with --workspace)\n` +
    HELP_LOCK + HELP_COMMON,
  options: { ...TARGET, ...WORKSPACE, ...LOCKING, keep: { type: "string" }, seeds: { type: "string" } },
  async run(parsed, io) {
    const target = targetOf(parsed, io);
    const keep = numberOption(parsed, "keep", { min: 0, integer: true });
    if (keep === undefined) throw new UsageError("missing --keep");
    const maxSeeds = numberOption(parsed, "seeds", { min: 0, integer: true }) ?? SEEDS;
    const wsDir = optional(parsed, "workspace", { io, envName: "DROVER_WORKSPACE" });
    const ws = wsDir ? new Workspace(wsDir) : undefined;
    const wait = waitOf(parsed);
    if (ws) await ws.init();
    await using _lock = ws ? await ws.lock({ waitSeconds: wait, signal: io.signal }) : undefined;
    const at = new Date().toISOString();
    const scan = await scanApps(target);
    const errors: ErrorEntry[] = scan.problems.map((p) => ({
      app: p.dirName,
      code: "E_APP",
      message: p.message,
    }));
    const apps: AppGc[] = [];
    for (const app of scan.apps) {
      const releases = join(app.dir, "releases");
      const report: AppGc = { name: app.name, dir: app.dirName, kept: [], removed: [] };
      apps.push(report);
      try {
        if (ws) await cleanLeftovers(app.dir);
        const names = (await readdir(releases, { withFileTypes: true }).catch((e) => {
          if (e.code === "ENOENT" && !app.current) return []; // registered, nothing installed
          throw e;
        }))
          .filter((e) => e.isDirectory() && !e.name.startsWith("."))
          .map((e) => e.name);
        // like with like: the links' canonical paths against each release's (app.dir, releases/ or
        // the target may be reached through symlinks); one that cannot be resolved is kept too
        const linked = new Set([app.current?.path, app.previous?.path].filter((p) => p !== undefined));
        const protect = new Set<string>();
        for (const id of names) {
          const real = await realpath(join(releases, id)).catch(() => undefined);
          if (real === undefined || linked.has(real)) protect.add(id);
        }
        const dated = await Promise.all(
          names.map(async (id) => ({ id, ...(await installTime(join(releases, id))) })),
        );
        dated.sort((a, b) => b.at - a.at || b.serial - a.serial || (a.id < b.id ? 1 : -1));
        let room = Math.max(0, keep - protect.size);
        for (const r of dated) {
          if (protect.has(r.id)) report.kept.push(r.id);
          else if (room > 0) {
            room--;
            report.kept.push(r.id);
          } else {
            await removeRelease(releases, r.id);
            report.removed.push(r.id);
          }
        }
      } catch (error) {
        errors.push(errorEntry(error, appKey(app)));
      }
    }
    let seeds: SeedPrune | undefined;
    if (ws) {
      try {
        // an app directory the scan could not read keeps its seeds
        seeds = await pruneSeeds(ws.dir, {
          apps: scan.apps,
          max: maxSeeds,
          keepOthers: scan.problems.length > 0,
        });
      } catch (error) {
        errors.push(errorEntry(error));
      }
    }
    const exitCode = errors.length ? 1 : 0;
    if (ws) {
      const names = new Set(scan.apps.map((a) => appKey(a)));
      const appErrors = new Map(errors.filter((e) => names.has(e.app ?? "")).map((e) => [e.app!, e]));
      await writeStatus(ws, { target, run: { kind: "gc", at, errors }, appErrors });
    }
    const report: GcReport = {
      command: "gc",
      ok: exitCode === 0,
      exitCode,
      keep,
      apps,
      ...(seeds ? { seeds } : {}),
      errors,
    };
    if (parsed.json) printJson(io, report);
    else {
      for (const a of apps) {
        io.stdout(`${a.name}\tkept ${a.kept.length}\tremoved ${a.removed.join(" ") || "-"}\n`);
      }
      if (seeds?.removed.length) {
        io.stdout(
          `seeds\tkept ${seeds.kept.length}\tremoved ${seeds.removed.length} (${seeds.freedBytes} bytes)\n`,
        );
      }
      for (const e of errors) io.stderr(`${e.app}: ${e.message}\n`);
    }
    return exitCode;
  },
});
