/**
 * `drover install`: install every pending download (written by `drover check`): re-verify the
 * blob while extracting into a staging directory, switch `current` atomically, run the health
 * check, switch back and mark the commit bad if it fails.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { command } from "./install.ts";
 * const out: string[] = [];
 * const code = await command.run(["--help"], { stdout: (t) => out.push(t), stderr: () => {}, env: {}, stderrIsTTY: false });
 * assert.ok(code === 0 && out.join("").startsWith("Usage: drover install "));
 * ```
 * @module
 */
import { unlink } from "node:fs/promises";
import { join } from "node:path";
import type { CommandIO } from "../cli/command.ts";
import { readApp } from "../app/scan_apps.ts";
import { defineCommand, type ErrorEntry, errorEntry } from "../cli/define_command.ts";
import { assertNotDowngrade } from "../app/downgrade.ts";
import { exitCodeFor, worstExitCode } from "../cli/exit_codes.ts";
import { NotFoundError } from "../../core/errors.ts";
import {
  confirmInstalled,
  type InstallOptions,
  installRelease,
  type InstallResult,
} from "../app/install_release.ts";
import type { FetchPolicy } from "../net/fetch.ts";
import { installSource } from "../app/install_source.ts";
import { DeclaredLengthError } from "../net/http.ts";
import { Workspace } from "../fs/workspace.ts";
import {
  HELP_COMMON,
  HELP_EXIT,
  HELP_INSTALL,
  HELP_LOCK,
  HELP_TARGET,
  HELP_WORKSPACE,
  type InstallFlags,
  installFlagsOf,
  INSTALLING,
  LOCKING,
  logger,
  printJson,
  TARGET,
  targetOf,
  waitOf,
  WORKSPACE,
  workspaceOf,
} from "./_shared.ts";

/** What `install` did for one pending download. */
export interface AppInstall {
  name: string;
  ref: string;
  dir: string;
  /** Commit that was current before. */
  from: string | null;
  /** Commit of the pending download. */
  to: string;
  /** Release id (directory under releases/) of the new release. */
  release: string | null;
  action: "installed" | "already-installed" | "health-failed" | "skipped-bad" | "refused" | "failed";
  error?: ErrorEntry;
}

/** The `install --json` document. */
export interface InstallReport {
  command: "install";
  ok: boolean;
  exitCode: number;
  apps: AppInstall[];
  errors: ErrorEntry[];
}

/** Installs the pending downloads of `ws` into `target` (the caller holds the lock). */
export async function runInstall(
  ws: Workspace,
  options: {
    target: string;
    flags: InstallFlags;
    io: CommandIO;
    json: boolean;
    /** `update`: download what `check` deferred while extracting it, with this policy. */
    stream?: FetchPolicy;
  },
): Promise<InstallReport> {
  const { io, json, flags } = options;
  const log = logger(io, json);
  const at = new Date().toISOString();
  const { manifests, problems } = await ws.readPending();
  const errors: ErrorEntry[] = [];
  const codes: number[] = [];
  for (const p of problems) {
    errors.push({ code: "E_FAILURE", message: p.message });
    codes.push(1);
    await ws.removePending("", { file: p.file });
  }
  const status = await ws.readStatus();
  const apps: AppInstall[] = [];
  const touched = new Map<string, { ref: string; dir: string; error: ErrorEntry | null; bad?: string }>();
  /** A failed health check: switched back already; reported, and the commit marked bad. */
  const healthFailed = (
    report: AppInstall,
    o: { m: { name: string; ref: string; commit: string }; dir: string; healthError?: string },
  ) => {
    report.action = "health-failed";
    report.error = {
      app: o.m.name,
      code: "E_HEALTH",
      message: `${o.m.name} ${o.m.commit}: ${o.healthError}`,
    };
    errors.push(report.error);
    codes.push(1);
    touched.set(o.m.name, { ref: o.m.ref, dir: o.dir, error: report.error, bad: o.m.commit });
  };

  for (const m of manifests) {
    const dir = join(options.target, m.dirName);
    const report: AppInstall = {
      name: m.name,
      ref: m.ref,
      dir: m.dirName,
      from: null,
      to: m.commit,
      release: null,
      action: "failed",
    };
    apps.push(report);
    const blob = ws.blobPath(m.blob);
    const finish = async () => {
      await ws.removePending(m.name);
      await unlink(blob).catch(() => {});
      await unlink(ws.partPath(m.blob)).catch(() => {});
    };
    try {
      const app = await readApp(dir).catch((e) => {
        throw new Error(`Cannot install ${m.name}: ${e.message}`, { cause: e });
      });
      if (!app || app.name !== m.name) {
        await finish();
        throw new NotFoundError(`Cannot install ${m.name}: no such app in ${dir}`);
      }
      report.from = app.commit;
      if (app.deploy && app.commit === m.commit) {
        // an earlier run switched but was interrupted before it finished: finish (health check) now
        const result = await confirmInstalled(dir, {
          deploy: app.deploy,
          expected: {},
          healthCmd: flags.healthCmd,
          healthTimeoutMs: flags.healthTimeoutMs,
          env: io.env,
          onOutput: (text) => io.stderr(text),
        });
        await finish();
        report.release = result.release;
        if (result.status === "installed") {
          report.action = "already-installed";
          touched.set(m.name, { ref: m.ref, dir, error: null });
          continue;
        }
        healthFailed(report, { m, dir, healthError: result.healthError });
        continue;
      }
      if (status.apps[m.name]?.bad?.includes(m.commit)) {
        report.action = "skipped-bad";
        await finish();
        continue;
      }
      try {
        // a first install has nothing to compare with; a ref switched by the operator neither
        if (app.deploy && app.deploy.ref === app.ref) {
          assertNotDowngrade(app.deploy, {
            ...m,
            allowDowngrade: m.source === "tuf" && m.allowDowngrade === true,
          });
        }
      } catch (error) {
        await finish();
        throw error;
      }
      log(`${m.name}: installing ${m.commit.slice(0, 12)} (current ${app.commit?.slice(0, 12) ?? "none"})`);
      const installOptions: InstallOptions = {
        deploy: {
          name: m.name,
          ref: m.ref,
          commit: m.commit,
          ...(m.serial !== undefined ? { serial: m.serial } : {}),
          ...(m.sha256 ? { sha256: m.sha256 } : {}),
          ...(m.sha1 ? { sha1: m.sha1 } : {}),
          ...(m.updated ? { updated: m.updated } : {}),
          ...(m.appVersion ? { version: m.appVersion } : {}),
          source: m.source,
        },
        expected: { length: m.length, sha256: m.sha256, sha1: m.sha1 },
        healthCmd: flags.healthCmd,
        healthTimeoutMs: flags.healthTimeoutMs,
        env: io.env,
        onOutput: (text) => io.stderr(text),
        signal: io.signal,
      };
      let result: InstallResult | undefined;
      for (let attempt = 0; !result; attempt++) {
        const src = await installSource(ws, m, { stream: options.stream, io, json }).catch(async (error) => {
          await finish();
          throw error;
        });
        try {
          result = await installRelease(dir, src.source, {
            ...installOptions,
            maxExtractedSize: src.maxExtractedSize,
          });
          src.done(true);
        } catch (error) {
          src.done(false);
          if (error instanceof NotFoundError) await finish(); // gone from the repository: final
          if (exitCodeFor(error) !== 3) throw error; // transient: the .part stays for the next run
          await unlink(ws.partPath(m.blob)).catch(() => {});
          // an earlier run's bytes were bad: once more from 0 (not when the server announced a wrong size)
          if (src.resumed && attempt === 0 && !(error instanceof DeclaredLengthError)) continue;
          await finish(); // a bad download is never retried as is
          throw error;
        }
      }
      await finish();
      report.release = result.release;
      if (result.status === "installed") {
        report.action = "installed";
        touched.set(m.name, { ref: m.ref, dir, error: null });
        log(`${m.name}: current -> releases/${result.release}`);
      } else {
        healthFailed(report, { m, dir, healthError: result.healthError });
        log(`${m.name}: ${result.healthError}; switched back, ${m.commit.slice(0, 12)} marked bad`);
      }
    } catch (error) {
      const code = exitCodeFor(error);
      codes.push(code);
      report.action = code === 3 ? "refused" : "failed";
      report.error = errorEntry(error, m.name);
      errors.push(report.error);
      touched.set(m.name, { ref: m.ref, dir, error: report.error });
      log(`${m.name}: ${report.error.message}`);
    }
  }

  const exitCode = worstExitCode(codes);
  const remaining = await ws.readPending();
  const states = new Map<string, Awaited<ReturnType<typeof readApp>>>();
  for (const [name, t] of touched) states.set(name, await readApp(t.dir).catch(() => undefined));
  await ws.updateStatus((s) => {
    s.lastInstall = exitCode === 0
      ? { at, ok: true }
      : { at, ok: false, error: { code: errors[0]?.code ?? "E_FAILURE", message: errors[0]?.message ?? "" } };
    for (const [name, t] of touched) {
      const app = states.get(name);
      const prev = s.apps[name];
      const bad = [...(prev?.bad ?? [])];
      if (t.bad && !bad.includes(t.bad)) bad.push(t.bad);
      const pending = remaining.manifests.find((m) => m.name === name)?.commit;
      s.apps[name] = {
        ref: t.ref,
        current: app?.commit ?? prev?.current ?? null,
        previous: app?.previous?.deploy?.commit ?? null,
        ...(pending ? { pending } : {}),
        bad,
        ...(t.error ? { lastError: { at, ...t.error } } : {}),
      };
    }
  });
  return { command: "install", ok: exitCode === 0, exitCode, apps, errors };
}

/** Prints an install report as text. */
export function printInstall(io: CommandIO, report: InstallReport): void {
  for (const a of report.apps) {
    const from = a.from ? a.from.slice(0, 12) : "-";
    io.stdout(`${a.name}\t${a.ref}\t${from} -> ${a.to.slice(0, 12)}\t${a.action}\n`);
  }
}

/** `drover install`. */
export const command = defineCommand({
  name: "install",
  summary: "install what check downloaded (atomic switch, health check)",
  help: "Usage: drover install --target DIR --workspace DIR [options]\n\n" +
    "Installs each download that `drover check` left pending (an interrupted `drover update`'s is\n" +
    "downloaded again from where it stopped): re-verifies it while extracting into\n" +
    "releases/.staging-*, writes .deploy, renames it to releases/<serial>-<commit12>, points `previous` at\n" +
    "the old release and switches `current` atomically.\n\nOptions:\n" + HELP_TARGET + HELP_WORKSPACE +
    HELP_INSTALL + HELP_LOCK + HELP_COMMON + "\n" + HELP_EXIT,
  options: { ...TARGET, ...WORKSPACE, ...INSTALLING, ...LOCKING },
  async run(parsed, io) {
    const target = targetOf(parsed, io);
    const ws = new Workspace(workspaceOf(parsed, io));
    const flags = installFlagsOf(parsed);
    const wait = waitOf(parsed);
    await ws.init();
    await using _lock = await ws.lock({ waitSeconds: wait, signal: io.signal });
    // a manifest left by an interrupted `update` (download deferred) is downloaded while installed
    const stream = { signal: io.signal };
    const report = await runInstall(ws, { target, flags, io, json: parsed.json, stream });
    if (parsed.json) printJson(io, report);
    else printInstall(io, report);
    return report.exitCode;
  },
});
