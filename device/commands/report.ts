/**
 * `drover report`: sends the report events waiting in the workspace's spool to the fleet API now
 * (with retries), batch by batch; each batch's events leave the spool only once the edge
 * acknowledged them. See `device/fleet/send_reports.ts`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { command } from "./report.ts";
 * const out: string[] = [];
 * const code = await command.run(["--help"], { stdout: (t) => out.push(t), stderr: () => {}, env: {}, stderrIsTTY: false });
 * assert.ok(code === 0 && out.join("").startsWith("Usage: drover report "));
 * ```
 * @module
 */
import { defineCommand, optional } from "../cli/define_command.ts";
import { UsageError } from "../cli/usage_error.ts";
import { Workspace } from "../fs/workspace.ts";
import { readEnrollment } from "../fleet/enrollment.ts";
import { FleetClient } from "../fleet/fleet_client.ts";
import { fleetTimeoutMs } from "../fleet/fleet_sync.ts";
import { IdentityStore } from "../fleet/identity_store.ts";
import { ReportSpool } from "../fleet/report_spool.ts";
import { sendReports, type SendResult } from "../fleet/send_reports.ts";
import {
  HELP_COMMON,
  HELP_LOCK,
  HELP_WORKSPACE,
  LOCKING,
  logger,
  printJson,
  waitOf,
  WORKSPACE,
  workspaceOf,
} from "./_shared.ts";

/** The `report --json` document. */
export interface ReportReport extends SendResult {
  command: "report";
  ok: true;
  exitCode: 0;
  deviceId: string;
  api: string;
  /** Events still waiting (0 after a complete send). */
  waiting: number;
}

/** `drover report`. */
export const command = defineCommand({
  name: "report",
  summary: "send the waiting install reports to the fleet API now",
  help: "Usage: drover report --workspace DIR [--api URL] [--json]\n\n" +
    "Sends the install reports waiting in <workspace>/reports/ (each install's outcome per stage,\n" +
    "recorded by install and update on an enrolled device) to the fleet API it was enrolled with, in\n" +
    "batches of at most 100; a batch leaves the spool only once the API acknowledged it (a resent\n" +
    "event keeps its id and is counted once). check, install and update send them too, at the end of\n" +
    "each run.\n\nOptions:\n" + HELP_WORKSPACE +
    "  --api URL             send to this fleet API instead of the enrolled one (env DROVER_API is not\n" +
    "                        used here: it names the repository)\n" +
    HELP_LOCK + HELP_COMMON +
    "\nExit codes: 0 sent (also nothing to send), 1 not enrolled or refused by the fleet API, 2 usage,\n" +
    "75 try later (fleet API unreachable, lock held).\n",
  options: { ...WORKSPACE, ...LOCKING, api: { type: "string" } },
  async run(parsed, io) {
    const ws = new Workspace(workspaceOf(parsed, io));
    const override = optional(parsed, "api");
    let api: URL | undefined;
    if (override !== undefined) {
      api = UsageError.check(() => new URL(override));
      if (api.protocol !== "http:" && api.protocol !== "https:") {
        throw new UsageError(`--api must be http:// or https:// (got ${api.protocol})`);
      }
    }
    const log = logger(io, parsed.json);
    await ws.mustExist("send reports"); // a mistyped --workspace: nothing created there
    await using _lock = await ws.lock({ waitSeconds: waitOf(parsed), signal: io.signal });
    const store = new IdentityStore(ws.dir);
    const enrollment = await readEnrollment(store.paths.enrollment);
    const identity = await store.load();
    if (!enrollment || !identity || identity.id !== enrollment.deviceId) {
      throw new Error(`Cannot send reports: this device is not enrolled (run drover enroll --api URL)`);
    }
    const client = new FleetClient(api ?? enrollment.api, {
      identity,
      counter: store.counter(identity),
      timeoutMs: Math.max(fleetTimeoutMs(io.env), 10_000),
      retries: 2,
      signal: io.signal,
      onRetry: ({ attempt, delayMs, error }) =>
        log(`retry ${attempt} in ${Math.round(delayMs)} ms: ${error.message}`),
    });
    const spool = new ReportSpool(store.paths.reports);
    const result = await sendReports(client, spool);
    const waiting = (await spool.summary()).events;
    if (parsed.json) {
      const report: ReportReport = {
        command: "report",
        ok: true,
        exitCode: 0,
        deviceId: identity.id,
        api: client.api.href,
        ...result,
        waiting,
      };
      printJson(io, report);
    } else {
      io.stdout(`${result.sent}\tsent\t${result.duplicates}\tduplicates\t${waiting}\twaiting\n`);
    }
    return 0;
  },
});
