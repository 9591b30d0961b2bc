/**
 * The fleet part of `drover status`, read-only: the device id of the stored key, whether and
 * where the device is enrolled and in which state, and how many report events wait in the spool
 * (and how many were dropped since the last acknowledged batch).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { fleetStatus } from "./fleet_status.ts";
 * const ws = await mkdtemp(join(tmpdir(), "ws-"));
 * assert.deepEqual(await fleetStatus(ws), {
 *   deviceId: null, state: "not-enrolled", api: null, labels: {}, waiting: 0, dropped: 0,
 * });
 * await rm(ws, { recursive: true });
 * ```
 * @module
 */
import { type EnrollmentState, readEnrollment } from "./enrollment.ts";
import { IdentityStore } from "./identity_store.ts";
import { ReportSpool } from "./report_spool.ts";

/** The fleet section of the `status --json` document. */
export interface FleetStatus {
  /** The stored identity's device id, `null` without one. */
  deviceId: string | null;
  /** `not-enrolled`: no enrollment of this identity. */
  state: EnrollmentState | "not-enrolled";
  api: string | null;
  labels: Record<string, string>;
  /** Report events waiting to be sent. */
  waiting: number;
  /** Events the full spool dropped, not yet reported. */
  dropped: number;
}

/** Reads the fleet status of `workspace`; a damaged key or enrollment throws (`TypeError`). */
export async function fleetStatus(workspace: string): Promise<FleetStatus> {
  const store = new IdentityStore(workspace);
  const deviceId = (await store.deviceId()) ?? null;
  const enrollment = await readEnrollment(store.paths.enrollment);
  const enrolled = enrollment !== undefined && enrollment.deviceId === deviceId;
  const spool = await new ReportSpool(store.paths.reports).summary();
  return {
    deviceId,
    state: enrolled ? enrollment.state : "not-enrolled",
    api: enrolled ? enrollment.api : null,
    labels: enrolled ? enrollment.labels : {},
    waiting: spool.events,
    dropped: spool.dropped,
  };
}
