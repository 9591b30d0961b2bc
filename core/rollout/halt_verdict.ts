/**
 * Whether the edge should halt a rollout, by its signed halt rule: once at least `minDevices`
 * devices finished the install (succeeded, failed, rolled back or timed out, i.e. went silent),
 * it halts when more than `maxFailurePercent` of them failed, rolled back or went silent. Devices
 * still installing do not count. Halting is the edge holding the rollout back (cap 0); it can
 * never widen it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { haltVerdict } from "./halt_verdict.ts";
 * const halt = { minDevices: 5, maxFailurePercent: 20 };
 * assert.equal(haltVerdict(halt, { succeeded: 8, failed: 1, rolledBack: 0, timedOut: 1, inProgress: 3 }).halt, false);
 * assert.equal(haltVerdict(halt, { succeeded: 8, failed: 2, rolledBack: 1, timedOut: 0, inProgress: 0 }).halt, true);
 * ```
 * @module
 */
import type { RolloutHalt } from "./rollout.ts";

/** Devices of one rollout by their install's outcome (the edge counts them from reports). */
export interface HaltCounts {
  succeeded: number;
  failed: number;
  rolledBack: number;
  /** Started but silent past the edge's deadline. */
  timedOut: number;
  /** Started, not finished, not yet timed out; informational. */
  inProgress?: number;
}

/** The outcome of {@linkcode haltVerdict}. */
export interface HaltVerdict {
  halt: boolean;
  /** succeeded + failed + rolledBack + timedOut. */
  finished: number;
  /** failed + rolledBack + timedOut. */
  bad: number;
  /** bad / finished × 100 (0 before any device finished). */
  failurePercent: number;
  /** One line for people: `halt: 3 of 10 finished devices failed, rolled back or went silent (30%), …`. */
  reason: string;
}

const COUNTS = ["succeeded", "failed", "rolledBack", "timedOut", "inProgress"] as const;

/**
 * The verdict of `halt` over `counts`. `TypeError`/`RangeError` for counts that are not whole
 * numbers ≥ 0 or a halt rule out of range.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { haltVerdict } from "./halt_verdict.ts";
 * const v = haltVerdict({ minDevices: 5, maxFailurePercent: 20 }, { succeeded: 0, failed: 4, rolledBack: 0, timedOut: 0 });
 * assert.ok(!v.halt && v.reason.startsWith("keep going: 4 of the 5 devices needed have finished"));
 * ```
 */
export function haltVerdict(halt: RolloutHalt, counts: HaltCounts): HaltVerdict {
  const { minDevices, maxFailurePercent } = halt ?? {};
  if (!Number.isSafeInteger(minDevices) || minDevices < 1) {
    throw new RangeError(`Cannot judge rollout: halt.minDevices ${minDevices} is not a whole number >= 1`);
  }
  if (typeof maxFailurePercent !== "number" || !(maxFailurePercent >= 0 && maxFailurePercent <= 100)) {
    throw new RangeError(
      `Cannot judge rollout: halt.maxFailurePercent ${maxFailurePercent} is not in [0, 100]`,
    );
  }
  for (const key of COUNTS) {
    const n = counts?.[key];
    if (n === undefined && key === "inProgress") continue;
    if (typeof n !== "number") throw new TypeError(`Cannot judge rollout: counts.${key} must be a number`);
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new RangeError(`Cannot judge rollout: counts.${key} ${n} is not a whole number >= 0`);
    }
  }
  const bad = counts.failed + counts.rolledBack + counts.timedOut;
  const finished = counts.succeeded + bad;
  const failurePercent = finished === 0 ? 0 : (bad / finished) * 100;
  const shown = Math.round(failurePercent * 10) / 10;
  const badText = `failed, rolled back or went silent`;
  if (finished < minDevices) {
    return {
      halt: false,
      finished,
      bad,
      failurePercent,
      reason: `keep going: ${finished} of the ${minDevices} devices needed have finished (${bad} ${badText})`,
    };
  }
  // bad / finished > max / 100, without the rounding of the division
  const over = bad * 100 > maxFailurePercent * finished;
  const ratio = `${bad} of ${finished} finished devices ${badText} (${shown}%)`;
  return {
    halt: over,
    finished,
    bad,
    failurePercent,
    reason: over
      ? `halt: ${ratio}, more than the ${maxFailurePercent}% allowed`
      : `keep going: ${ratio}, at most ${maxFailurePercent}% allowed`,
  };
}
