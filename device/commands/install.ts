/**
 * `drover install`: install every pending download (written by `drover check`): re-verify the
 * blob while extracting into a staging directory, switch `current` atomically, run the health
 * check, switch back and mark the commit bad if it fails. First, apps whose `current` points at a
 * release that does not exist are recovered (`_recover_damaged.ts`).
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
import { join } from "node:path";
import type { CommandIO } from "../cli/command.ts";
import { scanApps } from "../app/scan_apps.ts";
import { defineCommand, type ErrorEntry, errorEntry, optional } from "../cli/define_command.ts";
import { type AppPlan, type PlanAction, planUpdate, type UpdatePlan } from "../app/plan.ts";
import { writeStatus } from "../app/status_writer.ts";
import { exitCodeFor, worstExitCode } from "../cli/exit_codes.ts";
import { InterruptedError } from "../cli/interrupted_error.ts";
import { NotFoundError } from "../../core/errors.ts";
import { confirmInstalled } from "../app/confirm_installed.ts";
import type { FetchPolicy } from "../net/fetch.ts";
import { Workspace } from "../fs/workspace.ts";
import type { InstallAttempt, InstallReporter } from "../fleet/install_reporter.ts";
import { openFleetRun } from "../fleet/fleet_run.ts";
import {
  DOWNLOADING,
  downloadPolicyOf,
  HELP_COMMON,
  HELP_DOWNLOAD,
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
import { dropPending } from "./_drop_pending.ts";
import { installPending } from "./_install_pending.ts";
import { noteRecovered, recoverDamaged, type RecoveredApp } from "./_recover_damaged.ts";

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
  /** `drover install`: apps whose `current` pointed at a missing release, recovered first (when any). */
  recovered?: RecoveredApp[];
}

/** The order installs run in: the pending records' file order (`owner~app.json`, `owner~app@ref.json`). */
const byRecordFile = (a: AppPlan, b: AppPlan) => {
  const x = a.key.replace("/", "~"), y = b.key.replace("/", "~");
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * Carries out the install part of `plan` in `target` (the caller holds the lock): installs,
 * finishes interrupted installs, reports held releases and records without their app. Nothing is
 * decided again: `update` hands on its check's plan, `install` plans from the pending records.
 */
export async function runInstall(
  ws: Workspace,
  options: {
    target: string;
    plan: UpdatePlan;
    flags: InstallFlags;
    io: CommandIO;
    json: boolean;
    /** Download what `check` deferred while extracting it, with this policy. */
    stream?: FetchPolicy;
    /** An enrolled device's report recorder: each install attempt's stages. */
    reports?: InstallReporter;
  },
): Promise<InstallReport> {
  const { io, json, flags, plan, target } = options;
  const log = logger(io, json);
  const at = new Date().toISOString();
  const errors: ErrorEntry[] = [];
  const codes: number[] = [];
  for (const p of plan.problems) {
    errors.push({ code: "E_FAILURE", message: p.message });
    codes.push(1);
    await ws.removePending("", { file: p.file });
  }
  const apps: AppInstall[] = [];
  const appErrors = new Map<string, ErrorEntry | null>();
  const bad: { name: string; commit: string }[] = [];
  const work = plan.apps.filter((e) => INSTALL_ACTIONS.has(e.action)).sort(byRecordFile);

  for (const entry of work) {
    const m = (entry.release ?? entry.record)!;
    const dir = entry.app?.dir ?? join(target, m.dirName); // the scan's: canonical, absolute
    const report: AppInstall = {
      name: m.name,
      ref: m.ref,
      dir: m.dirName,
      from: entry.app?.commit ?? null,
      to: m.commit,
      release: null,
      action: "failed",
    };
    apps.push(report);
    let attempt: InstallAttempt | undefined;
    /**
     * Drops the record and its download; an installed release's stays as the app's delta seed (the
     * app's seeds pruned to those of its current and previous releases).
     */
    const finish = (installed = false) => dropPending(ws, m, { key: entry.key, target, installed });
    /** A failed health check: switched back already; reported, and the commit marked bad. */
    const healthFailed = (healthError?: string) => {
      report.action = "health-failed";
      report.error = {
        app: entry.key,
        code: "E_HEALTH",
        message: `${entry.key} ${m.commit}: ${healthError}`,
      };
      errors.push(report.error);
      codes.push(1);
      appErrors.set(entry.key, report.error);
      bad.push({ name: entry.key, commit: m.commit });
    };
    const healthOptions = {
      healthCmd: flags.healthCmd,
      healthTimeoutMs: flags.healthTimeoutMs,
      env: io.env,
      onOutput: (text: string) => io.stderr(text),
    };
    try {
      // a signal stopped the run: the apps after it are left as they are, for the next run
      const stopped = InterruptedError.of(io.signal);
      if (stopped) throw stopped;
      if (entry.action === "unavailable" || !entry.app) {
        if (entry.dropRecord) await finish();
        throw entry.error ?? new NotFoundError(`Cannot install ${m.name}: no such app in ${dir}`);
      }
      const app = entry.app;
      if (entry.action === "held") {
        await finish();
        if (entry.held?.reason === "downgrade") throw entry.held.error;
        report.action = "skipped-bad";
        continue;
      }
      if (entry.action === "finish" && app.deploy) {
        // an earlier run switched but was interrupted before it finished: finish (health check) now
        attempt = options.reports?.attempt({ app: m.name, commit: m.commit });
        const result = await confirmInstalled(dir, {
          deploy: app.deploy,
          expected: {},
          ...healthOptions,
          onStage: attempt?.onStage,
        });
        // reported before the record goes: a kill in between finishes (and reports) it again
        if (result.status === "installed") await attempt?.installed();
        await finish(result.status === "installed");
        report.release = result.release;
        if (result.status === "installed") {
          report.action = "already-installed";
          appErrors.set(entry.key, null);
        } else healthFailed(result.healthError);
        continue;
      }
      log(
        `${entry.key}: installing ${m.commit.slice(0, 12)} (current ${app.commit?.slice(0, 12) ?? "none"})`,
      );
      attempt = options.reports?.attempt({ app: m.name, commit: m.commit, bytes: m.length });
      const result = await installPending(ws, m, {
        dir,
        io,
        json,
        stream: options.stream,
        install: { ...healthOptions, onStage: attempt?.onStage, signal: io.signal },
        drop: () => finish(),
      });
      // reported before the record goes: a kill in between finishes (and reports) it again
      if (result.status === "installed") await attempt?.installed();
      await finish(result.status === "installed");
      report.release = result.release;
      if (result.status === "installed") {
        report.action = "installed";
        appErrors.set(entry.key, null);
        log(`${entry.key}: current -> releases/${result.release}`);
      } else {
        healthFailed(result.healthError);
        log(`${entry.key}: ${result.healthError}; switched back, ${m.commit.slice(0, 12)} marked bad`);
      }
    } catch (caught) {
      // an interruption is no failure of the release: nothing reported (the edge counts the stage
      // in progress until the next run's outcome); its record and download stay for the next run
      const interrupted = InterruptedError.of(io.signal);
      const error = interrupted?.during(`install ${m.name} ${m.commit.slice(0, 12)}`, caught) ?? caught;
      if (!interrupted) await attempt?.failed(error);
      const code = exitCodeFor(error);
      codes.push(code);
      report.action = code === 3 ? "refused" : "failed";
      report.error = errorEntry(error, entry.key);
      errors.push(report.error);
      appErrors.set(entry.key, report.error);
      log(`${entry.key}: ${report.error.message}`);
    }
  }

  const exitCode = worstExitCode(codes);
  await writeStatus(ws, { target, run: { kind: "install", at, errors }, appErrors, bad });
  return { command: "install", ok: exitCode === 0, exitCode, apps, errors };
}

const INSTALL_ACTIONS = new Set<PlanAction>(["install", "finish", "held", "unavailable"]);

/**
 * The plan of `drover install`: the pending records are the candidates (the target is scanned only
 * when there is one).
 */
export async function planPending(ws: Workspace, target: string): Promise<UpdatePlan> {
  const pending = await ws.readPending();
  const scan = pending.manifests.length ? await scanApps(target) : { apps: [], problems: [] };
  return planUpdate(scan, { pending, status: await ws.readStatus() });
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
    HELP_INSTALL + HELP_DOWNLOAD + HELP_LOCK + HELP_COMMON + "\n" + HELP_EXIT,
  options: { ...TARGET, ...WORKSPACE, ...INSTALLING, ...DOWNLOADING, ...LOCKING },
  async run(parsed, io) {
    const target = targetOf(parsed, io);
    const ws = new Workspace(workspaceOf(parsed, io));
    const flags = installFlagsOf(parsed);
    const wait = waitOf(parsed);
    await ws.init();
    await using _lock = await ws.lock({ waitSeconds: wait, signal: io.signal });
    // an enrolled device records each install's stages, checks in and sends them at the end
    const cacheDir = optional(parsed, "cache-dir", { io, envName: "DROVER_CACHE_DIR" });
    await using fleet = await openFleetRun(ws.dir, { io, target, cacheDir });
    // a manifest left by an interrupted `update` (download deferred) is downloaded while installed
    const stream = downloadPolicyOf(parsed, io);
    // a `current` pointing at a missing release: back to `previous` (or nothing installed), loudly
    const recovered = await recoverDamaged(target, io);
    const plan = await planPending(ws, target);
    const reports = fleet.reports;
    const report = await runInstall(ws, { target, plan, flags, io, json: parsed.json, stream, reports });
    await noteRecovered(ws, { target, recovered, errors: report.errors });
    if (recovered.length) report.recovered = recovered;
    if (parsed.json) printJson(io, report);
    else printInstall(io, report);
    return report.exitCode;
  },
});
