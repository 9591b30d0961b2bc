/**
 * What `check`, `install` and `update` do with the fleet at the end of a run of an enrolled
 * device: check in (the inventory, `collect_inventory.ts`) and send the waiting report events
 * (`send_reports.ts`). It never fails or holds up the run: each request is bounded by
 * `DROVER_FLEET_TIMEOUT` seconds (default 5) with no retries, the whole sync by three times that,
 * and every failure is a warning on stderr (`drover: fleet: …`); what was not sent waits in the
 * spool for the next run. A device that is not enrolled makes no request at all. A run stopped by a
 * signal (SIGINT, SIGTERM: `InterruptedError`) makes none either, and a request it cuts short is no
 * warning: the edge was not out of reach, and what waits in the spool goes out with the next run.
 *
 * A 403 answer records the state `rejected` in the enrollment; an answer that carries a `state`
 * records that one. The answer's `rollouts` (the edge's holds on staged rollouts, core/rollout
 * `parseRolloutHolds`) are saved in the workspace (`device/rollout/rollout_holds_file.ts`) for the
 * rollout decisions; a malformed one is a warning and the saved holds stay as they were.
 *
 * An edge from before the inventory's `tracked` (apps registered with nothing installed, …) refuses
 * it: the check-in is sent once more without it.
 *
 * `check` and `update` check in before they decide (`checkInOnly`, for the holds) and again at the
 * end only when the inventory changed (`sameInventory`), so a run that installs nothing checks in
 * once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { syncFleet } from "./fleet_sync.ts";
 * const ws = await mkdtemp(join(tmpdir(), "ws-"));
 * const io = { stdout: () => {}, stderr: () => {}, env: {}, stderrIsTTY: false };
 * assert.equal(await syncFleet(ws, { io }), undefined); // not enrolled: nothing sent
 * await rm(ws, { recursive: true });
 * ```
 * @module
 */
import { TransientError } from "../../core/errors.ts";
import type { Inventory } from "../../core/fleet/inventory.ts";
import { parseRolloutHolds, type RolloutHold } from "../../core/rollout/mod.ts";
import type { CommandIO } from "../cli/command.ts";
import { InterruptedError } from "../cli/interrupted_error.ts";
import { collectInventory } from "./collect_inventory.ts";
import { type Enrollment, type EnrollmentState, readEnrollment, writeEnrollment } from "./enrollment.ts";
import { FleetClient } from "./fleet_client.ts";
import { FleetRequestError } from "./fleet_request_error.ts";
import { IdentityStore } from "./identity_store.ts";
import { ReportSpool } from "./report_spool.ts";
import { sendReports, type SendResult } from "./send_reports.ts";
import { writeRolloutHolds } from "../rollout/rollout_holds_file.ts";

/** What a sync did. */
export interface FleetSyncResult {
  deviceId: string;
  checkIn: "ok" | "failed" | "skipped";
  reports: SendResult | "failed" | "skipped";
  /** The inventory collected for the check-in (JSON), when one was. */
  inventory?: string;
  /** The holds of the check-in answer (saved), when it answered well-formed ones. */
  rollouts?: Record<string, RolloutHold>;
}

/** Options of {@linkcode syncFleet}. */
export interface FleetSyncOptions {
  io: CommandIO;
  /** The apps directory (for the inventory's apps). */
  target?: string;
  /** The image cache (for the inventory's device type). */
  cacheDir?: string;
  /** Only send reports (no check-in). */
  reportsOnly?: boolean;
  /** Only check in (no reports): before a run decides. */
  checkInOnly?: boolean;
  /** Skip the check-in when the inventory collected is this one (JSON; sent earlier in the run). */
  sameInventory?: string;
}

/** The per-request bound of the sync, ms: `DROVER_FLEET_TIMEOUT` seconds, default 5. */
export function fleetTimeoutMs(env: Record<string, string | undefined>): number {
  const s = Number(env.DROVER_FLEET_TIMEOUT);
  return env.DROVER_FLEET_TIMEOUT && Number.isFinite(s) && s > 0 ? s * 1000 : 5000;
}

/** Checks in and sends the spool (see the module doc); `undefined` when the device is not enrolled. */
export async function syncFleet(
  workspace: string,
  options: FleetSyncOptions,
): Promise<FleetSyncResult | undefined> {
  const { io } = options;
  const warn = (text: string) => io.stderr(`drover: fleet: ${text}\n`);
  const store = new IdentityStore(workspace);
  let enrollment: Enrollment | undefined;
  try {
    enrollment = await readEnrollment(store.paths.enrollment);
  } catch (error) {
    warn((error as Error).message);
    return undefined;
  }
  if (!enrollment) return undefined;
  const result: FleetSyncResult = { deviceId: enrollment.deviceId, checkIn: "skipped", reports: "skipped" };
  /** A signal stopped the run: no request (more), and none cut short is a warning. */
  const interrupted = () => InterruptedError.of(io.signal) !== undefined;
  if (interrupted()) return result;
  try {
    const identity = await store.load();
    if (identity?.id !== enrollment.deviceId) {
      warn(`the device key is not the one enrolled (${enrollment.deviceId}); run drover enroll`);
      return result;
    }
    const timeoutMs = fleetTimeoutMs(io.env);
    const deadline = Date.now() + 3 * timeoutMs;
    const client = new FleetClient(enrollment.api, {
      identity,
      counter: store.counter(identity),
      timeoutMs,
      retries: 0,
      signal: io.signal,
    });
    const note = (state: EnrollmentState) => noteState(store, enrollment!, state);
    if (!options.reportsOnly) {
      try {
        const inventory = await collectInventory(options.target, {
          labels: enrollment.labels,
          deviceType: enrollment.deviceType,
          env: io.env,
          cacheDir: options.cacheDir,
        });
        result.inventory = JSON.stringify(inventory);
        if (result.inventory !== options.sameInventory) {
          const answer = await checkIn(client, inventory) as { state?: unknown; rollouts?: unknown };
          result.checkIn = "ok";
          if (answer?.state === "accepted" || answer?.state === "pending") await note(answer.state);
          result.rollouts = await saveHolds(workspace, enrollment.deviceId, answer?.rollouts, warn);
        }
      } catch (error) {
        result.checkIn = "failed";
        if (interrupted()) return result;
        warn(messageOf(error));
        if (error instanceof FleetRequestError && error.status === 403) await note("rejected");
        if (error instanceof TransientError) return result; // the edge is out of reach: try next run
      }
    }
    if (options.checkInOnly) return result;
    try {
      result.reports = await sendReports(client, new ReportSpool(store.paths.reports), { deadline });
    } catch (error) {
      result.reports = "failed";
      if (interrupted()) return result;
      warn(messageOf(error));
      if (error instanceof FleetRequestError && error.status === 403) await note("rejected");
    }
  } catch (error) {
    warn((error as Error).message);
  }
  return result;
}

/**
 * Checks in; an edge from before the inventory's `tracked` refuses the field (400): then once
 * more without it (its holds then cover the installed apps only, as that edge always did).
 */
async function checkIn(client: FleetClient, inventory: Inventory): Promise<unknown> {
  try {
    return await client.checkIn(inventory);
  } catch (error) {
    const older = error instanceof FleetRequestError && error.status === 400 &&
      inventory.tracked !== undefined && error.message.includes("'tracked'");
    if (!older) throw error;
    const { tracked: _, ...without } = inventory;
    return await client.checkIn(without);
  }
}

/** Checks and saves the answer's holds (none: an edge without rollouts); `undefined` when malformed. */
async function saveHolds(
  workspace: string,
  deviceId: string,
  rollouts: unknown,
  warn: (text: string) => void,
): Promise<Record<string, RolloutHold> | undefined> {
  let holds: Record<string, RolloutHold>;
  try {
    holds = parseRolloutHolds(rollouts ?? {});
  } catch (error) {
    warn(`${(error as Error).message}; the last holds known stay`);
    return undefined;
  }
  await writeRolloutHolds(workspace, { deviceId, rollouts: holds });
  return holds;
}

/** A failure as a warning; an edge that does not know the device (401) gets a hint. */
function messageOf(error: unknown): string {
  const message = (error as Error)?.message ?? String(error);
  const unknown = error instanceof FleetRequestError && error.status === 401;
  return unknown ? `${message} (run drover enroll to register this device again)` : message;
}

/** Records `state` in the enrollment when it changed. */
async function noteState(
  store: IdentityStore,
  enrollment: Enrollment,
  state: EnrollmentState,
): Promise<void> {
  if (enrollment.state === state) return;
  enrollment.state = state;
  await writeEnrollment(store.paths.enrollment, enrollment);
}
