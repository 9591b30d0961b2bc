/**
 * `drover check`: scan the target, ask the repository (TUF, or `--insecure-legacy`) what is
 * current for each app's name and ref, download (resumable, verified) what differs and is not
 * marked bad, and record a pending manifest per app for `drover install`.
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
import { readdir, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { CommandIO } from "../cli/command.ts";
import { scanApps } from "../app/scan_apps.ts";
import { defineCommand, type ErrorEntry, errorEntry } from "../cli/define_command.ts";
import { type AppPlan, planUpdate, type UpdatePlan } from "../app/plan.ts";
import { writeStatus } from "../app/status_writer.ts";
import { exitCodeFor, worstExitCode } from "../cli/exit_codes.ts";
import { downloadVerified } from "../net/fetch.ts";
import { LEGACY_WARNING, openLegacyOffers } from "../app/legacy_offers.ts";
import { type Offer, type Offers, openTufOffers } from "../app/offers.ts";
import { ProgressBar } from "../cli/progress.ts";
import { type PendingManifest, Workspace } from "../fs/workspace.ts";
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
    | "skipped-bad"
    | "not-offered"
    | "refused"
    | "failed";
  sha256?: string;
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

const DOWNLOAD_FILE = /^(?:[0-9a-f]{64}|sha1-[0-9a-f]{40})\.(?:part|blob)$/;

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
  },
): Promise<CheckRun> {
  const { io, json, flags, target } = options;
  const log = logger(io, json);
  const at = new Date().toISOString();
  const scan = await scanApps(target);
  const errors: ErrorEntry[] = scan.problems.map((p) => ({
    app: p.dirName,
    code: "E_APP",
    message: p.message,
  }));
  const codes: number[] = scan.problems.map(() => 1);
  let offers: Offers;
  try {
    if (flags.legacy) {
      io.stderr(LEGACY_WARNING);
      offers = await openLegacyOffers(flags.api, flags.policy);
    } else {
      offers = await openTufOffers(flags.api, ws.tuf, { ...flags.policy, trustedRoot: flags.trustedRoot });
    }
  } catch (error) {
    await writeStatus(ws, { target, scan, run: { kind: "check", at, errors: [errorEntry(error)] } });
    throw error;
  }
  const plan = planUpdate(scan, { offers, pending: await ws.readPending(), status: await ws.readStatus() });
  const apps: AppCheck[] = [];
  const appErrors = new Map<string, ErrorEntry | null>();
  const handOn: AppPlan[] = [];
  const wanted = new Set<string>();

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
    };
    apps.push(report);
    // superseded, withdrawn from the repository or held: never installed
    if (entry.dropRecord) await ws.removePending(app.name);
    const fail = (error: unknown) => {
      const code = exitCodeFor(error);
      codes.push(code);
      report.action = code === 3 ? "refused" : "failed";
      report.error = errorEntry(error, app.name);
      errors.push(report.error);
      appErrors.set(app.name, report.error);
      log(`${app.name}: ${report.error.message}`);
    };
    if (entry.action === "up-to-date") {
      report.action = "up-to-date";
      appErrors.set(app.name, null);
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
      try {
        const deferred = options.deferDownloads === true &&
          !(await stat(ws.blobPath(release.blob)).catch(() => undefined));
        if (!deferred) await download(ws, { offer, release, flags, io, json, log });
        const recorded = { ...release, downloadedAt: new Date().toISOString() };
        await ws.writePending(recorded);
        handOn.push({ ...entry, release: recorded });
        report.action = deferred ? "deferred" : "downloaded";
        appErrors.set(app.name, null);
        if (!deferred) {
          log(
            `${app.name}: downloaded ${offer.commit.slice(0, 12)} (current ${
              app.commit?.slice(0, 12) ?? "none"
            })`,
          );
        }
      } catch (error) {
        fail(error);
      }
    }
  }

  // downloads no remaining record and no offer of this run needs
  for (const file of await readdir(ws.downloads).catch(() => [] as string[])) {
    if (DOWNLOAD_FILE.test(file) && !wanted.has(file.replace(/\.(part|blob)$/, ""))) {
      await unlink(join(ws.downloads, file)).catch(() => {});
    }
  }

  const exitCode = worstExitCode(codes);
  await writeStatus(ws, { target, scan, run: { kind: "check", at, errors }, appErrors });
  return {
    report: { command: "check", ok: exitCode === 0, exitCode, mode: offers.mode, apps, errors },
    plan: { ...plan, apps: handOn },
  };
}

/** Downloads `release` (verified, resumable) into the workspace, with a progress bar. */
async function download(
  ws: Workspace,
  o: {
    offer: Offer;
    release: PendingManifest;
    flags: CheckFlags;
    io: CommandIO;
    json: boolean;
    log: (text: string) => void;
  },
): Promise<void> {
  const { offer, release, log } = o;
  const bar = new ProgressBar(o.io, {
    label: `${release.name} ${offer.commit.slice(0, 12)}`,
    total: offer.expected.length,
    json: o.json,
  });
  try {
    await downloadVerified(offer.url, {
      ...o.flags.policy,
      downloads: ws.downloads,
      key: offer.key,
      expected: offer.expected,
      name: `${release.name} ${offer.commit}`,
      onProgress: (bytes, total) => bar.update(bytes, total),
      onRetry: ({ attempt, delayMs, error }) =>
        log(`retry ${attempt} in ${Math.round(delayMs)} ms: ${error.message}`),
    });
    bar.done();
  } catch (error) {
    bar.done({ ok: false });
    throw error;
  }
}

/** Prints a check report as text (stdout: one line per app). */
export function printCheck(io: CommandIO, report: CheckReport): void {
  for (const a of report.apps) {
    const to = a.available && a.available !== a.current ? ` -> ${a.available.slice(0, 12)}` : "";
    io.stdout(`${a.name}\t${a.ref}\t${a.current?.slice(0, 12) ?? "-"}${to}\t${a.action}\n`);
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
    "`drover install` installs them.\n\nOptions:\n" + HELP_TARGET + HELP_WORKSPACE + HELP_CHECK + HELP_LOCK +
    HELP_COMMON + "\n" + HELP_EXIT,
  options: { ...TARGET, ...WORKSPACE, ...CHECKING, ...LOCKING },
  async run(parsed, io) {
    const target = targetOf(parsed, io);
    const ws = new Workspace(workspaceOf(parsed, io));
    const flags = checkFlagsOf(parsed, io);
    const wait = waitOf(parsed);
    await ws.init();
    await using _lock = await ws.lock({ waitSeconds: wait, signal: io.signal });
    const { report } = await runCheck(ws, { target, flags, io, json: parsed.json });
    if (parsed.json) printJson(io, report);
    else printCheck(io, report);
    return report.exitCode;
  },
});
