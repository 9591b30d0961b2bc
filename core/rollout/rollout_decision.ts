/**
 * Whether a device takes a release under its signed rollout now. The device is in while its
 * bucket ({@linkcode rolloutBucket}) is below the effective percent: the signed percent at `now`
 * ({@linkcode percentAt}), lowered by the edge's `cap` if any. The edge can only hold a rollout
 * back: a cap above the signed percent changes nothing. A `canary` device (operator-marked) takes
 * bucket 0, so it goes first whenever the effective percent is above 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRollout } from "./rollout.ts";
 * import { rolloutDecision } from "./rollout_decision.ts";
 * const r = createRollout({ id: "r1", publishedAt: new Date("2026-03-01T00:00:00Z"), steps: "5,25@24h,100@72h" });
 * const now = new Date("2026-03-01T01:00:00Z");
 * const canary = rolloutDecision(r, { deviceId: "d_1", now, cohort: "canary" });
 * assert.ok(canary.included && canary.bucket === 0 && canary.percentNow === 5);
 * const wide = rolloutDecision(r, { deviceId: "d_1", now, cap: 100 });
 * assert.equal(wide.effectivePercent, 5, "a cap never widens the signed step");
 * ```
 * @module
 */
import type { Rollout } from "./rollout.ts";
import { rolloutBucket } from "./rollout_bucket.ts";
import { scheduleAt } from "./_schedule.ts";

/** Device groups the operator marks; `canary` goes first. */
export type RolloutCohort = "canary";

/** The outcome of {@linkcode rolloutDecision} (plain JSON but for nothing: fit for status.json). */
export interface RolloutDecision {
  rolloutId: string;
  included: boolean;
  /** The device's bucket in [0, 100); 0 for a canary. */
  bucket: number;
  cohort?: RolloutCohort;
  /** The signed percent at `now`. */
  percentNow: number;
  /** The edge's cap, or `null` when it set none. */
  cap: number | null;
  /** min(percentNow, cap ?? 100). */
  effectivePercent: number;
  /** The next signed step, if any (ISO 8601 UTC). */
  nextStep?: { percent: number; at: string };
  /** One line for people: `held back by rollout R: bucket 63.27, at 25% now, 100% from …`. */
  reason: string;
}

/**
 * Decide for `deviceId` at `now` (on a device: {@linkcode effectiveNow}'s result). `RangeError`
 * for a cap outside [0, 100]; `TypeError` for an unknown cohort, an invalid `now` or device id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRollout } from "./rollout.ts";
 * import { rolloutDecision } from "./rollout_decision.ts";
 * const r = createRollout({ id: "r1", publishedAt: new Date("2026-03-01T00:00:00Z"), steps: "100" });
 * const held = rolloutDecision(r, { deviceId: "d_1", now: new Date("2026-03-01T00:00:00Z"), cap: 0 });
 * assert.equal(held.included, false);
 * assert.match(held.reason, /^held back by the edge in rollout r1: bucket [\d.]+, at 100% now, capped to 0%$/);
 * ```
 */
export function rolloutDecision(
  rollout: Rollout,
  options: { deviceId: string; now: Date; cap?: number; cohort?: RolloutCohort },
): RolloutDecision {
  const { deviceId, now, cap, cohort } = options;
  if (cap !== undefined && (typeof cap !== "number" || !(cap >= 0 && cap <= 100))) {
    throw new RangeError(`Cannot decide rollout ${rollout.id}: cap ${cap} is not in [0, 100]`);
  }
  if (cohort !== undefined && cohort !== "canary") {
    throw new TypeError(
      `Cannot decide rollout ${rollout.id}: unknown cohort '${String(cohort).slice(0, 40)}'`,
    );
  }
  const { percent, next } = scheduleAt(rollout, now);
  const hashed = rolloutBucket(rollout.id, deviceId); // checks the device id for canaries too
  const bucket = cohort === "canary" ? 0 : hashed;
  const effectivePercent = Math.min(percent, cap ?? 100);
  const included = bucket < effectivePercent;
  const decision: RolloutDecision = {
    rolloutId: rollout.id,
    included,
    bucket,
    percentNow: percent,
    cap: cap ?? null,
    effectivePercent,
    reason: "",
  };
  if (cohort) decision.cohort = cohort;
  if (next) decision.nextStep = { percent: next.percent, at: next.at.toISOString() };
  const where = cohort === "canary" ? "canary" : `bucket ${Math.floor(bucket * 100) / 100}`;
  const status = `${where}, at ${percent}% now`;
  if (included) {
    decision.reason = `in rollout ${rollout.id}: ${status}`;
  } else if (bucket < percent) {
    decision.reason = `held back by the edge in rollout ${rollout.id}: ${status}, capped to ${cap}%`;
  } else {
    const later = next ? `, ${next.percent}% from ${decision.nextStep?.at}` : "";
    decision.reason = `held back by rollout ${rollout.id}: ${status}${later}`;
  }
  return decision;
}
