/**
 * `drover check`: scan the target, ask the repository (TUF, or `--insecure-legacy`) what is
 * current for each app's name and ref, download (resumable, verified) what differs and is not
 * marked bad, and record a pending manifest per app for `drover install`. A release under a staged
 * rollout is taken only once its rollout includes this device (`held-back` until then, with the
 * reason; exit 0).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { command } from "./check.ts";
 * const out: string[] = [];
 * const code = await command.run(["--help"], { stdout: (t) => out.push(t), stderr: () => {}, env: {}, stderrIsTTY: false });
 * assert.ok(code === 0 && out.join("").startsWith("Usage: drover check "));
 * ```
 * @module
 */
import type { CommandIO } from "../cli/command.ts";
import { scanApps } from "../app/scan_apps.ts";
import { defineCommand, type ErrorEntry, errorEntry, optional } from "../cli/define_command.ts";
import { type AppPlan, planUpdate, type UpdatePlan } from "../app/plan.ts";
import type { RolloutInputs, RolloutView } from "../app/choose_offer.ts";
import { openRolloutContext } from "../rollout/rollout_context.ts";
import { cohortOption } from "../rollout/rollout_cohort.ts";
import { writeStatus } from "../app/status_writer.ts";
import { exitCodeFor, worstExitCode } from "../cli/exit_codes.ts";
import { InterruptedError } from "../cli/interrupted_error.ts";
import type { Offers } from "../app/offers.ts";
import { Workspace } from "../fs/workspace.ts";
import { fetchOffer } from "./_fetch_offer.ts";
import { openOffers } from "./_open_offers.ts";
import { pruneDownloads } from "./_prune_downloads.ts";
import type { InstallReporter } from "../fleet/install_reporter.ts";
import { openFleetRun } from "../fleet/fleet_run.ts";
import {
  type CheckFlags,
  checkFlagsOf,
  CHECKING,
  HELP_CHECK,
  HELP_COMMON,
  HELP_EXIT,
  HELP_LOCK,
  HELP_TARGET,
  HELP_WORKSPACE,
  LOCKING,
  logger,
  printJson,
  TARGET,
  targetOf,
  waitOf,
  WORKSPACE,
  workspaceOf,
} from "./_shared.ts";

/** What `check` did for one app. */
export interface AppCheck {
  name: string;
  ref: string;
  /** The app's directory name under the target. */
  dir: string;
  /** Installed commit, `null` for an app registered with nothing installed yet. */
  current: string | null;
  /** Commit on offer, `null` if the repository has nothing for this name and ref. */
  available: string | null;
  serial: number | null;
  action:
    | "up-to-date"
    | "downloaded"
    | "deferred"
    | "pending"
    | "held-back"
    | "skipped-bad"
    | "not-offered"
    | "refused"
    | "failed";
  sha256?: string;
  /** Downloaded by delta: bytes fetched, and saved beside the full artifact. */
  delta?: { fetched: number; saved: number };
  /** The rollout decision that matters: a newer release held back (or withdrawn), else the one taken's. */
  rollout?: RolloutView;
  error?: ErrorEntry;
}

/** The `check --json` document. */
export interface CheckReport {
  command: "check";
  ok: boolean;
  exitCode: number;
  mode: "tuf" | "insecure-legacy";
  apps: AppCheck[];
  errors: ErrorEntry[];
}

/** What {@linkcode runCheck} hands on. */
export interface CheckRun {
  report: CheckReport;
  /**
   * The plan for `install`: the releases to install (recorded, or resumed), those to finish, and
   * the records without their app; entries whose check step failed are left out.
   */
  plan: UpdatePlan;
}

/**
 * Runs a check in `ws` (the caller holds the lock): plans every app once ({@linkcode planUpdate}),
 * downloads (or, `deferDownloads`, only records) what is to be installed, and hands the plan on.
 * Fatal errors (no trusted root, metadata refused, repository unreachable) are recorded in
 * status.json and thrown.
 */
export async function runCheck(
  ws: Workspace,
  options: {
    target: string;
    flags: CheckFlags;
    io: CommandIO;
    json: boolean;
    /** `update`: do not download, record where from; the install downloads while it extracts. */
    deferDownloads?: boolean;
    /** An enrolled device's report recorder (downloads and their failures are install stages). */
    reports?: InstallReporter;
    /** The device's side of rollout decisions (`openRolloutContext`); the clock is `io.now`. */
    rollout?: Omit<RolloutInputs, "now">;
  },
): Promise<CheckRun> {
  const { io, json, flags, target } = options;
  const log = logger(io, json);
  const at = new Date().toISOString();
  const now = io.now?.() ?? new Date();
  const scan = await scanApps(target);
  const errors: ErrorEntry[] = scan.problems.map((p) => ({
    app: p.dirName,
    code: "E_APP",
    message: p.message,
  }));
  const codes: number[] = scan.problems.map(() => 1);
  let offers: Offers;
  try {
    offers = await openOffers(ws, { flags, io, now });
  } catch (error) {
    await writeStatus(ws, { target, scan, run: { kind: "check", at, errors: [errorEntry(error)] } });
    throw error;
  }
  const plan = planUpdate(scan, {
    offers,
    pending: await ws.readPending(),
    status: await ws.readStatus(),
    rollout: options.rollout && { ...options.rollout, now },
  });
  const apps: AppCheck[] = [];
  const appErrors = new Map<string, ErrorEntry | null>();
  const handOn: AppPlan[] = [];
  const wanted = new Set<string>();
  /** What every offer's download shares (`update` defers them to the install). */
  const fetching = { offers, flags, io, json, log, defer: options.deferDownloads === true };

  for (const entry of plan.apps) {
    const { app, offer } = entry;
    if (entry.action === "unavailable" || !app) {
      // a record whose app is gone or broken: kept for install, which reports it
      if (entry.record) wanted.add(entry.record.blob);
      handOn.push(entry);
      continue;
    }
    const report: AppCheck = {
      name: app.name,
      ref: app.ref,
      dir: app.dirName,
      current: app.commit,
      available: offer?.commit ?? null,
      serial: offer?.serial ?? null,
      action: "not-offered",
      ...(offer ? { sha256: offer.expected.sha256 } : {}),
      ...(entry.rollout ? { rollout: entry.rollout } : {}),
    };
    apps.push(report);
    // superseded, withdrawn from the repository or held: never installed
    if (entry.dropRecord) await ws.removePending(entry.key);
    const fail = (error: unknown) => {
      const code = exitCodeFor(error);
      codes.push(code);
      report.action = code === 3 ? "refused" : "failed";
      report.error = errorEntry(error, entry.key);
      errors.push(report.error);
      appErrors.set(entry.key, report.error);
      log(`${entry.key}: ${report.error.message}`);
    };
    if (entry.action === "up-to-date" || entry.action === "held-back") {
      report.action = entry.action;
      appErrors.set(entry.key, null);
    } else if (entry.action === "finish") {
      // current already, but its install did not finish: install confirms it (health check)
      report.action = "up-to-date";
      wanted.add(entry.release!.blob);
      handOn.push(entry);
    } else if (entry.action === "held") {
      if (entry.held?.reason === "bad") report.action = "skipped-bad";
      else fail(entry.held?.error);
    } else if (entry.action === "install" && offer) {
      const release = entry.release!;
      wanted.add(release.blob);
      if (entry.resume) {
        report.action = "pending";
        handOn.push(entry);
        continue;
      }
      const attempt = options.reports?.attempt({
        app: app.name,
        commit: offer.commit,
        bytes: release.length,
      });
      try {
        const refs = scan.apps.filter((a) => a.name === app.name).map((a) => a.ref);
        const { deferred, delta } = await fetchOffer(ws, { ...fetching, offer, refs, release });
        if (!deferred) await attempt?.downloaded();
        const recorded = {
          ...release,
          downloadedAt: new Date().toISOString(),
          ...(delta ? { tar: { sha256: delta.sha256, length: delta.length } } : {}),
        };
        if (delta) report.delta = { fetched: delta.fetched, saved: delta.saved };
        await ws.writePending(recorded, { key: entry.key });
        handOn.push({ ...entry, release: recorded });
        report.action = deferred ? "deferred" : "downloaded";
        appErrors.set(entry.key, null);
        if (!deferred) {
          log(
            `${entry.key}: downloaded ${offer.commit.slice(0, 12)} (current ${
              app.commit?.slice(0, 12) ?? "none"
            })`,
          );
        }
      } catch (caught) {
        // an interruption is no failure of the release: nothing reported, the next run resumes
        const interrupted = InterruptedError.of(io.signal);
        const error = interrupted?.during(`download ${app.name} ${offer.commit.slice(0, 12)}`, caught) ??
          caught;
        if (!interrupted) await attempt?.failed(error);
        fail(error);
      }
    }
  }

  // downloads no remaining record and no offer of this run needs
  await pruneDownloads(ws, wanted);

  const exitCode = worstExitCode(codes);
  await writeStatus(ws, { target, scan, run: { kind: "check", at, errors }, appErrors });
  return {
    report: { command: "check", ok: exitCode === 0, exitCode, mode: offers.mode, apps, errors },
    plan: { ...plan, apps: handOn },
  };
}

/** Prints a check report as text (stdout: one line per app). */
export function printCheck(io: CommandIO, report: CheckReport): void {
  for (const a of report.apps) {
    const to = a.available && a.available !== a.current ? ` -> ${a.available.slice(0, 12)}` : "";
    // a newer release passed over: why, as a last column
    const why = a.rollout && !a.rollout.included ? `\t${a.rollout.reason}` : "";
    io.stdout(`${a.name}\t${a.ref}\t${a.current?.slice(0, 12) ?? "-"}${to}\t${a.action}${why}\n`);
  }
  for (const e of report.errors) {
    if (!report.apps.some((a) => a.error === e)) io.stderr(`${e.app}: ${e.message}\n`);
  }
}

/** `drover check`. */
export const command = defineCommand({
  name: "check",
  summary: "download what is newer (verified, resumable) for install",
  help: "Usage: drover check --target DIR --workspace DIR --api URL [options]\n\n" +
    "Scans the apps in --target, asks the repository at --api (TUF-verified) for the current release of\n" +
    "each app's name and ref, and downloads those whose commit differs into <workspace>/downloads.\n" +
    "`drover install` installs them. A release under a staged rollout is taken once its rollout includes\n" +
    "this device (its bucket, --cohort, the edge's holds); until then it takes the newest release that does,\n" +
    "or stays where it is (`held-back`, with the reason; exit 0).\n\nOptions:\n" +
    HELP_TARGET + HELP_WORKSPACE + HELP_CHECK + HELP_LOCK + HELP_COMMON + "\n" + HELP_EXIT,
  options: { ...TARGET, ...WORKSPACE, ...CHECKING, ...LOCKING },
  async run(parsed, io) {
    const target = targetOf(parsed, io);
    const ws = new Workspace(workspaceOf(parsed, io));
    const flags = checkFlagsOf(parsed, io);
    const cohort = cohortOption(parsed, io);
    const wait = waitOf(parsed);
    await ws.init();
    await using _lock = await ws.lock({ waitSeconds: wait, signal: io.signal });
    // an enrolled device records its downloads, checks in (first for the rollout holds) and reports
    const cacheDir = optional(parsed, "cache-dir", { io, envName: "DROVER_CACHE_DIR" });
    await using fleet = await openFleetRun(ws.dir, { io, target, cacheDir });
    const rollout = await openRolloutContext(ws.dir, { io, cohort, checkIn: () => fleet.checkIn() });
    const reports = fleet.reports;
    const { report } = await runCheck(ws, { target, flags, io, json: parsed.json, reports, rollout });
    if (parsed.json) printJson(io, report);
    else printCheck(io, report);
    return report.exitCode;
  },
});
