/**
 * `drover status`: the apps in the target (current and previous release), pending downloads,
 * commits marked bad, last check and install, last errors. Read-only (no lock).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { command } from "./status.ts";
 * const out: string[] = [];
 * const code = await command.run(["--help"], { stdout: (t) => out.push(t), stderr: () => {}, env: {}, stderrIsTTY: false });
 * assert.ok(code === 0 && out.join("").startsWith("Usage: drover status "));
 * ```
 * @module
 */
import { stat } from "node:fs/promises";
import type { ReleaseRef } from "../app/scan_apps.ts";
import { scanApps } from "../app/scan_apps.ts";
import { entryOf } from "../app/app_key.ts";
import { recordsOf } from "../app/app_records.ts";
import { defineCommand, type ErrorEntry, errorEntry, optional } from "../cli/define_command.ts";
import type { RunRecord, Status } from "../fs/workspace.ts";
import { Workspace } from "../fs/workspace.ts";
import { type FleetStatus, fleetStatus } from "../fleet/fleet_status.ts";
import {
  HELP_COMMON,
  HELP_TARGET,
  HELP_WORKSPACE,
  printJson,
  TARGET,
  targetOf,
  WORKSPACE,
} from "./_shared.ts";

/** A release in the status document. */
export interface ReleaseStatus {
  release: string;
  commit: string | null;
  serial: number | null;
}

/** One app in the `status --json` document. */
export interface AppStatusReport {
  name: string;
  /** The tracked ref (`.drover-app.json`'s when the app was registered with `drover add`). */
  ref: string;
  dir: string;
  /**
   * `registered`: added with `drover add`, nothing installed yet; `damaged`: `current` points at a
   * release that does not exist (`damaged` says which; `update`, `install` or `rollback` recovers it).
   */
  state: "installed" | "registered" | "damaged";
  /** What is wrong with a `damaged` app, else `null`. */
  damaged: { link: string; message: string } | null;
  /** Ref of the installed release when it differs from the tracked `ref` (switched by `drover add`). */
  installedRef: string | null;
  current: ReleaseStatus | null;
  previous: ReleaseStatus | null;
  pending: { commit: string; serial: number | null; downloaded: boolean } | null;
  bad: string[];
  lastError: { at: string; code: string; message: string } | null;
}

/** The `status --json` document. */
export interface StatusReport {
  command: "status";
  ok: boolean;
  exitCode: number;
  lastCheck: RunRecord | null;
  lastInstall: RunRecord | null;
  /** The device identity, its enrollment and the reports waiting (`null` without a workspace). */
  fleet: FleetStatus | null;
  apps: AppStatusReport[];
  errors: ErrorEntry[];
}

const releaseOf = (r: ReleaseRef): ReleaseStatus => ({
  release: r.id,
  commit: r.deploy?.commit ?? null,
  serial: Number.isSafeInteger(r.deploy?.serial) ? r.deploy!.serial as number : null,
});

/** `drover status`. */
export const command = defineCommand({
  name: "status",
  summary: "apps, current/previous, pending, last errors",
  help: "Usage: drover status --target DIR [--workspace DIR] [--json]\n\n" +
    'Shows each app\'s current and previous release (or "registered, nothing installed", or "damaged":\n' +
    "`current` points at a release that does not exist), what is downloaded and pending, commits marked bad and\n" +
    "the last check, install and errors (from <workspace>/status.json); with a workspace also the device\n" +
    "id, its fleet enrollment (accepted, pending, rejected or not-enrolled) and the install reports\n" +
    "waiting to be sent. Exit 1 if an app is broken.\n\n" +
    "Options:\n" + HELP_TARGET + HELP_WORKSPACE + HELP_COMMON,
  options: { ...TARGET, ...WORKSPACE },
  async run(parsed, io) {
    const target = targetOf(parsed, io);
    const wsDir = optional(parsed, "workspace", { io, envName: "DROVER_WORKSPACE" });
    const ws = wsDir ? new Workspace(wsDir) : undefined;
    await ws?.mustExist("show status"); // a mistyped --workspace is no workspace that never checked
    const scan = await scanApps(target);
    const status: Status = ws ? await ws.readStatus() : { version: 1, apps: {} };
    const pending = ws ? (await ws.readPending()).manifests : [];
    const errors: ErrorEntry[] = [...scan.problems, ...scan.apps.flatMap((a) => a.damaged ? [a] : [])]
      .sort((a, b) => (a.dirName < b.dirName ? -1 : 1))
      .map((p) => ({
        app: p.dirName,
        code: "E_APP",
        message: "message" in p ? p.message : p.damaged!.message,
      }));
    const apps: AppStatusReport[] = [];
    const records = recordsOf(scan.apps, pending);
    for (const app of scan.apps) {
      const p = records.get(app);
      const s = entryOf(status.apps, app).entry;
      apps.push({
        name: app.name,
        ref: app.ref,
        dir: app.dirName,
        state: app.damaged ? "damaged" : app.current ? "installed" : "registered",
        damaged: app.damaged ?? null,
        installedRef: app.deploy && app.deploy.ref !== app.ref ? app.deploy.ref : null,
        current: app.current ? releaseOf(app.current) : null,
        previous: app.previous ? releaseOf(app.previous) : null,
        pending: p && ws
          ? {
            commit: p.commit,
            serial: p.serial ?? null,
            downloaded: (await stat(ws.blobPath(p.blob)).catch(() => undefined)) !== undefined,
          }
          : null,
        bad: s?.bad ?? [],
        lastError: s?.lastError ?? null,
      });
    }
    let fleet: FleetStatus | null = null;
    if (ws) {
      fleet = await fleetStatus(ws.dir).catch((error) => {
        errors.push(errorEntry(error));
        return null;
      });
    }
    const exitCode = errors.length ? 1 : 0;
    const report: StatusReport = {
      command: "status",
      ok: exitCode === 0,
      exitCode,
      lastCheck: status.lastCheck ?? null,
      lastInstall: status.lastInstall ?? null,
      fleet,
      apps,
      errors,
    };
    if (parsed.json) {
      printJson(io, report);
      return exitCode;
    }
    const run = (
      r: RunRecord | null,
    ) => (r ? `${r.at} ${r.ok ? "ok" : `failed: ${r.error?.message ?? ""}`}` : "never");
    if (ws) io.stdout(`last check: ${run(report.lastCheck)}\nlast install: ${run(report.lastInstall)}\n`);
    if (fleet) {
      const where = fleet.api ? ` at ${fleet.api}` : "";
      const dropped = fleet.dropped ? `, ${fleet.dropped} dropped` : "";
      io.stdout(
        `device: ${
          fleet.deviceId ?? "no identity"
        } ${fleet.state}${where}, ${fleet.waiting} reports waiting${dropped}\n`,
      );
    }
    for (const a of apps) {
      const installedRef = a.installedRef ? `, installed release is from ${a.installedRef}` : "";
      io.stdout(`${a.name} (${a.ref}${installedRef}) in ${a.dir}\n`);
      io.stdout(
        a.current
          ? `  current:  ${a.current.release} ${a.current.commit ?? "?"}\n`
          : a.damaged
          ? `  current:  - (damaged: ${a.damaged.message}; \`drover update\` or \`drover rollback\` recovers it)\n`
          : `  current:  - (registered, nothing installed)\n`,
      );
      io.stdout(`  previous: ${a.previous ? `${a.previous.release} ${a.previous.commit ?? "?"}` : "-"}\n`);
      if (a.pending) {
        io.stdout(`  pending:  ${a.pending.commit}${a.pending.downloaded ? "" : " (not downloaded yet)"}\n`);
      }
      if (a.bad.length) io.stdout(`  bad:      ${a.bad.join(", ")}\n`);
      if (a.lastError) io.stdout(`  error:    ${a.lastError.at} ${a.lastError.message}\n`);
    }
    for (const e of errors) io.stderr(`${e.app}: ${e.message}\n`);
    return exitCode;
  },
});
