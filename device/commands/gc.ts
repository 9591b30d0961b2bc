/**
 * `drover gc --keep N`: remove old releases of every app, keeping the N newest (by install time,
 * then serial) and always `current` and `previous`. Removal renames a release to `.trash-*` first,
 * so a crash never leaves half a release under its real name. Each app is pruned under its app lock
 * (`app_lock.ts`, waiting `--wait`, then exit 75 for that app), with or without a workspace: an
 * install (staging to health check), a rollback or a recovery of that app is never raced; a damaged
 * app (`current` dangling) is left alone. With a workspace, its lock is taken first, leftover staging
 * directories of interrupted installs are removed too, and the delta seeds are bounded (DESIGN §10):
 * those of apps no longer in the target go, and of each app and ref at most `--seeds N` (default 2)
 * stay, its current release's first, then its previous one's.
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
import { lstat, readdir, readFile, realpath, stat } from "node:fs/promises";
import { join } from "node:path";
import { type App, readApp, scanApps } from "../app/scan_apps.ts";
import { APP_LOCK_FILE, lockApp } from "../app/app_lock.ts";
import { exitCodeFor, worstExitCode } from "../cli/exit_codes.ts";
import { appKey } from "../app/app_key.ts";
import { writeStatus } from "../app/status_writer.ts";
import { defineCommand, type ErrorEntry, errorEntry, numberOption, optional } from "../cli/define_command.ts";
import { cleanLeftovers, removeRelease } from "../fs/symlink.ts";
import { UsageError } from "../cli/usage_error.ts";
import { Workspace } from "../fs/workspace.ts";
import { pruneSeeds, type SeedPrune } from "../delta/seeds.ts";
import { NoSpaceError } from "../../core/errors.ts";
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
  /** The app's tracked ref (one name may be installed on two refs, in two directories). */
  ref: string;
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

/** Delta seeds kept per app and ref by default. */
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

/** Prunes the releases of `app` (read under its lock) into `o.report` (see the module doc). */
async function pruneReleases(
  app: App,
  o: { keep: number; report: AppGc; cleanLeftovers: boolean },
): Promise<void> {
  if (app.damaged) {
    throw new Error(
      `Cannot prune ${app.dirName}: ${app.damaged.message} (\`drover update\` or \`drover rollback\` recovers it)`,
    );
  }
  const { report } = o;
  const releases = join(app.dir, "releases");
  if (o.cleanLeftovers) await cleanLeftovers(app.dir);
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
  let room = Math.max(0, o.keep - protect.size);
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
}

/** `drover gc`. */
export const command = defineCommand({
  name: "gc",
  summary: "prune old releases, never current/previous",
  help: "Usage: drover gc --target DIR --keep N [--workspace DIR] [--seeds N] [--json]\n\n" +
    "Keeps the N newest releases of each app (by install time, then serial), and always `current` and\n" +
    "`previous` (even when N is smaller); removes the others. With --workspace, records the run\n" +
    "(lastGc, and per-app errors) in status.json, and bounds the delta seeds: those of apps no longer\n" +
    "in the target are removed, and of each app and ref at most --seeds stay (the current release's first).\n" +
    "Each app is pruned under its lock: busy (an install, its health check), it is skipped, exit 75.\n" +
    "\nOptions:\n" +
    HELP_TARGET +
    "  --keep N              releases to keep per app, current and previous included\n" + HELP_WORKSPACE +
    `  --seeds N             delta seeds to keep per app and ref (default ${SEEDS}; with --workspace)\n` +
    HELP_LOCK.replace("workspace lock", "workspace and app locks") + HELP_COMMON,
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
    const codes = errors.map(() => 1);
    const apps: AppGc[] = [];
    for (const scanned of scan.apps) {
      const report: AppGc = {
        name: scanned.name,
        ref: scanned.ref,
        dir: scanned.dirName,
        kept: [],
        removed: [],
      };
      apps.push(report);
      try {
        await using _appLock = await lockToFree(scanned.dir, { waitSeconds: wait, signal: io.signal });
        const app = await readApp(scanned.dir); // under the lock: what is there now
        if (app) await pruneReleases(app, { keep, report, cleanLeftovers: ws !== undefined });
      } catch (error) {
        errors.push(errorEntry(error, appKey(scanned)));
        codes.push(exitCodeFor(error));
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
        codes.push(exitCodeFor(error));
      }
    }
    const exitCode = worstExitCode(codes);
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
        io.stdout(`${a.name}\t${a.ref}\tkept ${a.kept.length}\tremoved ${a.removed.join(" ") || "-"}\n`);
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

/**
 * The app's lock, for gc. On a full file system the lock file cannot be created; nobody else can
 * then create it either (it takes the same space), so when none is there gc prunes without it: gc is
 * how space comes back.
 */
async function lockToFree(
  dir: string,
  options: { waitSeconds: number; signal?: AbortSignal },
): Promise<AsyncDisposable | undefined> {
  try {
    return await lockApp(dir, options);
  } catch (error) {
    if (!(error instanceof NoSpaceError)) throw error;
    if (await lstat(join(dir, APP_LOCK_FILE)).catch(() => undefined)) throw error; // held: wait for it
    return undefined;
  }
}
