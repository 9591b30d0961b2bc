/**
 * A device's choice among the releases of one app and ref (newest first): the newest whose
 * rollout includes it, so a device is never left with nothing because the newest release is
 * still at 5%. A release without a rollout includes every device. The release the device runs
 * (`current`) ends the search: it is kept even when its rollout no longer includes the device
 * (going to an older release would be a downgrade, which only signed metadata may allow).
 * Releases the edge withdrew (state `halted`, cap 0) are skipped by devices that have not
 * installed them, and reported as withdrawn.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRollout } from "./rollout.ts";
 * import { chooseRelease } from "./choose_release.ts";
 * const publishedAt = new Date("2026-03-01T00:00:00Z");
 * const candidates = [
 *   { commit: "b", rollout: createRollout({ id: "r2", publishedAt, steps: "5,100@72h" }) },
 *   { commit: "a" },
 * ];
 * const choice = chooseRelease(candidates, { deviceId: "d_1", now: publishedAt, holds: { r2: { cap: 0, state: "halted" } } });
 * assert.equal(choice.chosen?.commit, "a");
 * assert.equal(choice.skipped[0]?.withdrawn, true);
 * ```
 * @module
 */
import type { Rollout } from "./rollout.ts";
import { type RolloutCohort, type RolloutDecision, rolloutDecision } from "./rollout_decision.ts";
import type { RolloutHold } from "./rollout_hold.ts";

/** What {@linkcode chooseRelease} needs of a release (anything else rides along). */
export interface ReleaseCandidate {
  /** The signed rollout (`AppCustom.rollout`); absent: every device at once. */
  rollout?: Rollout;
  /** The device runs this release now. */
  current?: boolean;
}

/** A release passed over, and why. */
export interface SkippedRelease<C> {
  candidate: C;
  decision: RolloutDecision;
  /** The edge withdrew it (state `halted`, cap 0). */
  withdrawn: boolean;
}

/** The outcome of {@linkcode chooseRelease}. */
export interface ReleaseChoice<C> {
  /** The release to run: the current one (nothing to do) or a newer one; none when nothing includes the device. */
  chosen: C | undefined;
  /** The rollout decision of `chosen`, when it has a rollout. */
  decision: RolloutDecision | undefined;
  /** Newer releases passed over, newest first. */
  skipped: SkippedRelease<C>[];
}

/**
 * Choose among `candidates` (newest first) for `deviceId` at `now` (on a device:
 * {@linkcode effectiveNow}'s result), with the edge's `holds` by rollout id (see
 * `parseRolloutHolds`) and the device's cohort. Errors as {@linkcode rolloutDecision}'s.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRollout } from "./rollout.ts";
 * import { chooseRelease } from "./choose_release.ts";
 * const rollout = createRollout({ id: "r1", publishedAt: new Date("2026-03-01T00:00:00Z"), steps: "1" });
 * const choice = chooseRelease([{ rollout, current: true }], { deviceId: "d_1", now: new Date(), holds: { r1: { cap: 0, state: "halted" } } });
 * assert.equal(choice.chosen?.current, true, "the running release is kept");
 * ```
 */
export function chooseRelease<C>(
  candidates: readonly (C & ReleaseCandidate)[],
  options: {
    deviceId: string;
    now: Date;
    cohort?: RolloutCohort;
    holds?: Readonly<Record<string, RolloutHold>>;
  },
): ReleaseChoice<C & ReleaseCandidate> {
  const { deviceId, now, cohort, holds } = options;
  const skipped: SkippedRelease<C & ReleaseCandidate>[] = [];
  for (const candidate of candidates) {
    const rollout = candidate.rollout;
    if (!rollout) return { chosen: candidate, decision: undefined, skipped };
    const hold = holds && Object.hasOwn(holds, rollout.id) ? holds[rollout.id] : undefined;
    const decision = rolloutDecision(rollout, { deviceId, now, cap: hold?.cap ?? undefined, cohort });
    if (decision.included || candidate.current) return { chosen: candidate, decision, skipped };
    skipped.push({ candidate, decision, withdrawn: hold?.state === "halted" && hold.cap === 0 });
  }
  return { chosen: undefined, decision: undefined, skipped };
}
