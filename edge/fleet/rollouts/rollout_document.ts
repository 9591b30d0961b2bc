/**
 * A rollout as the operator API returns it (`GET /v1/fleet/rollouts[/<id>]`):
 *
 * `{ id, app, ref, commit, serial, publishedAt, steps, halt, state, cap, reason, percentNow,
 * effectivePercent, devicesOnApp, devicesInReach, counts, watched, watchedSince, topErrors, createdAt,
 * updatedAt }`: `percentNow` is the signed percent at the edge's clock, `effectivePercent`
 * min(percentNow, cap ?? 100), `devicesOnApp` the accepted devices on the app and ref, and
 * `devicesInReach` those whose bucket (a canary's: 0) is below the effective percent (an estimate:
 * each device decides at its own bounded clock). `counts` are every device of the rollout by
 * outcome, `watched` the ones the halt rule judges (reported since `watchedSince`).
 *
 * `devicesInReach` pages through the accepted devices on the app (500 per query) and hashes each
 * id: only when the effective percent is strictly between 0 and 100 (else it is 0 or every one).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { effectivePercentOf } from "./rollout_document.ts";
 * assert.equal(effectivePercentOf(25, 0), 0);
 * assert.equal(effectivePercentOf(25, null), 25);
 * ```
 * @module
 */
import { percentAt, rolloutBucket, type RolloutState } from "../../../core/rollout/mod.ts";
import type { FleetStore } from "../fleet_store.ts";
import type { RolloutCounts, RolloutRecord } from "./rollout_record.ts";

/** The operator API's rollout document. */
export interface RolloutDocument {
  id: string;
  app: string;
  ref: string;
  commit: string;
  serial: number;
  publishedAt: string;
  steps: { afterHours: number; percent: number }[];
  halt: { minDevices: number; maxFailurePercent: number };
  state: RolloutState;
  cap: number | null;
  reason: string | null;
  percentNow: number;
  effectivePercent: number;
  devicesOnApp: number;
  devicesInReach: number;
  counts: RolloutCounts;
  watched: RolloutCounts;
  watchedSince: Date;
  topErrors: { code: string; devices: number }[];
  createdAt: Date;
  updatedAt: Date;
}

/** min(signed percent, cap): the edge only ever lowers. */
export function effectivePercentOf(percentNow: number, cap: number | null): number {
  return Math.min(percentNow, cap ?? 100);
}

/** Accepted devices on `app` and `ref`, and how many of them `effective` percent reaches. */
async function reach(
  store: FleetStore,
  record: RolloutRecord,
  effective: number,
): Promise<{ devicesOnApp: number; devicesInReach: number }> {
  let devicesOnApp = 0, devicesInReach = 0;
  let cursor: string | null = null;
  do {
    const page = await store.listDevices({ app: record.app, state: "accepted", limit: 500, cursor });
    for (const device of page.items) {
      if (!device.apps.some((a) => a.name === record.app && a.ref === record.ref)) continue;
      devicesOnApp++;
      if (effective >= 100) devicesInReach++;
      else if (effective > 0) {
        const bucket = device.labels.cohort === "canary" ? 0 : rolloutBucket(record.id, device.id);
        if (bucket < effective) devicesInReach++;
      }
    }
    cursor = page.next;
  } while (cursor);
  return { devicesOnApp, devicesInReach };
}

/** The document of `record` at `now`. */
export async function rolloutDocument(
  store: FleetStore,
  record: RolloutRecord,
  options: { now: Date },
): Promise<RolloutDocument> {
  const { rollout } = record;
  const percentNow = percentAt(rollout, options.now);
  const effectivePercent = effectivePercentOf(percentNow, record.cap);
  return {
    id: record.id,
    app: record.app,
    ref: record.ref,
    commit: record.commit,
    serial: record.serial,
    publishedAt: rollout.publishedAt,
    steps: rollout.steps.map((s) => ({ ...s })),
    halt: { ...rollout.halt },
    state: record.state,
    cap: record.cap,
    reason: record.reason,
    percentNow,
    effectivePercent,
    ...await reach(store, record, effectivePercent),
    counts: record.counts,
    watched: record.watched,
    watchedSince: record.watchedSince,
    topErrors: record.topErrors,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
