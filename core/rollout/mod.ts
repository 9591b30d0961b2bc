/**
 * core/rollout: the platform-agnostic rules of staged rollouts. A release's signed rollout
 * (`custom.rollout` of its app target) gives percents over time from its publication; a device is
 * in while its bucket (a hash of rollout id and device id onto [0, 100)) is below the percent at
 * a "now" bounded by signed metadata. The edge may only hold a rollout back (a cap, a halt by the
 * signed halt rule), never widen it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chooseRelease, createRollout, effectiveNow, haltVerdict } from "./mod.ts";
 * const rollout = createRollout({ id: "acme:radio:main:2:0123abc", publishedAt: new Date("2026-03-01T00:00:00Z"),
 *   steps: "5,25@24h,100@72h" });
 * const now = effectiveNow(new Date("2040-01-01T00:00:00Z"), { timestampExpires: new Date("2026-03-01T12:00:00Z") });
 * const choice = chooseRelease([{ serial: 2, rollout }, { serial: 1 }], { deviceId: "d_1", now, cohort: "canary" });
 * assert.equal(choice.chosen?.serial, 2);
 * assert.equal(choice.decision?.percentNow, 5, "a clock in the future does not widen the rollout");
 * assert.equal(haltVerdict(rollout.halt, { succeeded: 3, failed: 2, rolledBack: 0, timedOut: 0 }).halt, true);
 * ```
 * @module
 */
export {
  createRollout,
  DEFAULT_ROLLOUT_HALT,
  MAX_ROLLOUT_HOURS,
  MAX_ROLLOUT_STEPS,
  parseRollout,
  type Rollout,
  ROLLOUT_ID,
  type RolloutHalt,
} from "./rollout.ts";
export { formatRolloutSteps, parseRolloutSteps, type RolloutStep } from "./rollout_steps.ts";
export { percentAt } from "./percent_at.ts";
export { effectiveNow } from "./effective_now.ts";
export { rolloutBucket } from "./rollout_bucket.ts";
export { type RolloutCohort, type RolloutDecision, rolloutDecision } from "./rollout_decision.ts";
export { type HaltCounts, type HaltVerdict, haltVerdict } from "./halt_verdict.ts";
export { MAX_ROLLOUT_HOLDS, parseRolloutHolds, type RolloutHold, type RolloutState } from "./rollout_hold.ts";
export {
  chooseRelease,
  type ReleaseCandidate,
  type ReleaseChoice,
  type SkippedRelease,
} from "./choose_release.ts";
