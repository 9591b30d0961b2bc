/**
 * The fleet's part in a `check`, `install` or `update` run, opened under the workspace lock with
 * `await using`: on an enrolled device, a report recorder for the run's install attempts
 * (`install_reporter.ts`), and at the end of the scope, whatever the run's outcome, a check-in and
 * the spool sent (`fleet_sync.ts`), before the lock is released. On a device that is not enrolled,
 * no recorder and no request. `check` and `update` call {@linkcode FleetRun.checkIn} before they
 * decide, for the edge's rollout holds; the check-in at the end is then sent only when the
 * inventory changed since (something was installed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { openFleetRun } from "./fleet_run.ts";
 * const ws = await mkdtemp(join(tmpdir(), "ws-"));
 * const io = { stdout: () => {}, stderr: () => {}, env: {}, stderrIsTTY: false };
 * {
 *   await using fleet = await openFleetRun(ws, { io });
 *   assert.equal(fleet.reports, undefined); // not enrolled
 * }
 * await rm(ws, { recursive: true });
 * ```
 * @module
 */
import type { RolloutHold } from "../../core/rollout/mod.ts";
import { type FleetSyncOptions, syncFleet } from "./fleet_sync.ts";
import { InstallReporter } from "./install_reporter.ts";

/** A run's fleet hooks. */
export interface FleetRun extends AsyncDisposable {
  /** The recorder of install attempts, `undefined` when the device is not enrolled. */
  reports: InstallReporter | undefined;
  /**
   * Checks in now (an enrolled device; bounded, never throws) and resolves with the answer's
   * rollout holds (saved in the workspace), or `undefined` when not enrolled or it failed.
   */
  checkIn(): Promise<Record<string, RolloutHold> | undefined>;
}

/** Opens the fleet's part of a run in `workspace` (see the module doc). */
export async function openFleetRun(workspace: string, options: FleetSyncOptions): Promise<FleetRun> {
  const warn = (text: string) => options.io.stderr(`drover: ${text}\n`);
  const reports = await InstallReporter.open(workspace, { warn });
  let sent: string | undefined;
  return {
    reports,
    async checkIn() {
      const result = await syncFleet(workspace, { ...options, checkInOnly: true });
      if (result?.checkIn === "ok") sent = result.inventory;
      return result?.rollouts;
    },
    [Symbol.asyncDispose]: async () => void await syncFleet(workspace, { ...options, sameInventory: sent }),
  };
}
