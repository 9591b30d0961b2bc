/**
 * The signed percent of a rollout at a time: the percent of the last step whose start
 * (`publishedAt` + `afterHours`) is not after `now`. Before `publishedAt` the first step applies:
 * the signer published it with that exposure, and a device clock a little behind the signer's
 * (or the signer's a little ahead) must not hold the release from the first step's devices; a
 * clock in the past only ever delays the later steps.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRollout } from "./rollout.ts";
 * import { percentAt } from "./percent_at.ts";
 * const r = createRollout({ id: "r1", publishedAt: new Date("2026-03-01T00:00:00Z"), steps: "5,25@24h,100@72h" });
 * assert.equal(percentAt(r, new Date("2026-03-01T23:59:59Z")), 5);
 * assert.equal(percentAt(r, new Date("2026-03-02T00:00:00Z")), 25);
 * assert.equal(percentAt(r, new Date("2027-01-01T00:00:00Z")), 100);
 * ```
 * @module
 */
import type { Rollout } from "./rollout.ts";
import { scheduleAt } from "./_schedule.ts";

/**
 * The signed percent (0 < p ≤ 100) of `rollout` at `now` (pass {@linkcode effectiveNow}'s result
 * on a device). `TypeError` for an invalid `now`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRollout } from "./rollout.ts";
 * import { percentAt } from "./percent_at.ts";
 * const r = createRollout({ id: "r1", publishedAt: new Date("2026-03-01T00:00:00Z"), steps: "5,100@1h" });
 * assert.equal(percentAt(r, new Date("2020-01-01T00:00:00Z")), 5, "before publication: the first step");
 * ```
 */
export function percentAt(rollout: Rollout, now: Date): number {
  return scheduleAt(rollout, now).percent;
}
