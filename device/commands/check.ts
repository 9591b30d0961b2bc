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
import { assertNotDowngrade } from "../app/downgrade.ts";
import { exitCodeFor, worstExitCode } from "../cli/exit_codes.ts";
import { downloadVerified } from "../net/fetch.ts";
import { LEGACY_WARNING, openLegacyOffers } from "../app/legacy_offers.ts";
import { type Offers, openTufOffers } from "../app/offers.ts";
import { ProgressBar } from "../cli/progress.ts";
import { Workspace } from "../fs/workspace.ts";
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

const DOWNLOAD_FILE = /^(?:[0-9a-f]{64}|sha1-[0-9a-f]{40})\.(?:part|blob)$/;

/**
 * Runs a check in `ws` (the caller holds the lock). Fatal errors (no trusted root, metadata
 * refused, repository unreachable) are recorded in status.json and thrown.
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
): Promise<CheckReport> {
  const { io, json, flags } = options;
  const log = logger(io, json);
  const at = new Date().toISOString();
  const scan = await scanApps(options.target);
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
    await ws.updateStatus((s) => {
      s.lastCheck = { at, ok: false, error: errorEntry(error) };
    });
    throw error;
  }
  const status = await ws.readStatus();
  const { manifests } = await ws.readPending();
  const pendingByName = new Map(manifests.map((m) => [m.name, m]));
  const wanted = new Set<string>();
  const apps: AppCheck[] = [];
  const appErrors = new Map<string, ErrorEntry | null>();

  for (const app of scan.apps) {
    const offer = offers.find(app.name, app.ref);
    const report: AppCheck = {
      name: app.name,
      ref: app.ref,
      dir: app.dirName,
      current: app.commit,
      available: offer?.commit ?? null,
      serial: offer?.serial ?? null,
      action: "not-offered",
    };
    apps.push(report);
    const pending = pendingByName.get(app.name);
    if (!offer) {
      if (pending) await ws.removePending(app.name); // withdrawn from the repository: not installed
      continue;
    }
    report.sha256 = offer.expected.sha256;
    if (offer.commit === app.commit) {
      report.action = "up-to-date";
      appErrors.set(app.name, null);
      if (pending) await ws.removePending(app.name);
      continue;
    }
    if (status.apps[app.name]?.bad?.includes(offer.commit)) {
      report.action = "skipped-bad";
      continue;
    }
    wanted.add(offer.key);
    try {
      // a first install has nothing to compare with; a ref switched by the operator neither
      if (app.deploy && app.deploy.ref === app.ref) {
        assertNotDowngrade(app.deploy, {
          ...offer,
          allowDowngrade: offers.mode === "tuf" && offer.allowDowngrade,
        });
      }
      if (pending?.commit === offer.commit && pending.blob === offer.key) {
        report.action = "pending";
        continue;
      }
      const deferred = options.deferDownloads === true &&
        !(await stat(ws.blobPath(offer.key)).catch(() => undefined));
      if (!deferred) {
        const bar = new ProgressBar(io, {
          label: `${app.name} ${offer.commit.slice(0, 12)}`,
          total: offer.expected.length,
          json,
        });
        try {
          await downloadVerified(offer.url, {
            ...flags.policy,
            downloads: ws.downloads,
            key: offer.key,
            expected: offer.expected,
            name: `${app.name} ${offer.commit}`,
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
      await ws.writePending({
        version: 1,
        name: app.name,
        ref: app.ref,
        commit: offer.commit,
        dirName: app.dirName,
        source: offers.mode,
        blob: offer.key,
        length: offer.expected.length,
        sha256: offer.expected.sha256,
        sha1: offer.expected.sha1,
        serial: offer.serial,
        updated: offer.updated,
        appVersion: offer.version,
        allowDowngrade: offers.mode === "tuf" && offer.allowDowngrade === true ? true : undefined,
        origin: offer.origin,
        url: offer.url.href,
        downloadedAt: new Date().toISOString(),
      });
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
      const code = exitCodeFor(error);
      codes.push(code);
      report.action = code === 3 ? "refused" : "failed";
      report.error = errorEntry(error, app.name);
      errors.push(report.error);
      appErrors.set(app.name, report.error);
      log(`${app.name}: ${report.error.message}`);
    }
  }

  // downloads no pending manifest and no offer of this run needs
  const after = await ws.readPending();
  for (const m of after.manifests) wanted.add(m.blob);
  for (const file of await readdir(ws.downloads).catch(() => [] as string[])) {
    if (DOWNLOAD_FILE.test(file) && !wanted.has(file.replace(/\.(part|blob)$/, ""))) {
      await unlink(join(ws.downloads, file)).catch(() => {});
    }
  }

  const exitCode = worstExitCode(codes);
  await ws.updateStatus((s) => {
    s.lastCheck = exitCode === 0
      ? { at, ok: true }
      : { at, ok: false, error: { code: errors[0]?.code ?? "E_FAILURE", message: errors[0]?.message ?? "" } };
    for (const app of scan.apps) {
      const prev = s.apps[app.name];
      const pending = after.manifests.find((m) => m.name === app.name)?.commit;
      const err = appErrors.get(app.name);
      s.apps[app.name] = {
        ref: app.ref,
        current: app.commit,
        previous: app.previous?.deploy?.commit ?? null,
        ...(pending ? { pending } : {}),
        bad: prev?.bad ?? [],
        ...(err
          ? { lastError: { at, ...err } }
          : err === null || !prev?.lastError
          ? {}
          : { lastError: prev.lastError }),
      };
    }
  });
  return { command: "check", ok: exitCode === 0, exitCode, mode: offers.mode, apps, errors };
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
    const report = await runCheck(ws, { target, flags, io, json: parsed.json });
    if (parsed.json) printJson(io, report);
    else printCheck(io, report);
    return report.exitCode;
  },
});
