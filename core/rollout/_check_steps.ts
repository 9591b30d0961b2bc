/**
 * Private: the rules every list of rollout steps keeps, wherever it comes from (a `--rollout`
 * spec or signed metadata): 1 to {@linkcode MAX_ROLLOUT_STEPS} steps, the first at hour 0 (it
 * starts at publication), hours strictly increasing up to {@linkcode MAX_ROLLOUT_HOURS}, percents
 * in (0, 100] and never decreasing, all whole numbers (TUF's canonical JSON, which signs them,
 * has no fractions). Throws `RangeError` `<prefix>: step N …` (steps count from 1).
 */

/** Most steps in one rollout. */
export const MAX_ROLLOUT_STEPS = 20;
/** The latest step, in hours after publication (365 days). */
export const MAX_ROLLOUT_HOURS = 8760;

/** Checks `steps` (already numbers); `prefix` starts each message (`Cannot read rollout`). */
export function checkSteps(
  steps: readonly { afterHours: number; percent: number }[],
  prefix: string,
): void {
  if (steps.length === 0) throw new RangeError(`${prefix}: no steps`);
  if (steps.length > MAX_ROLLOUT_STEPS) {
    throw new RangeError(`${prefix}: ${steps.length} steps, at most ${MAX_ROLLOUT_STEPS} allowed`);
  }
  steps.forEach((step, i) => {
    const n = i + 1;
    const { afterHours, percent } = step;
    if (!Number.isFinite(percent) || percent <= 0 || percent > 100) {
      throw new RangeError(`${prefix}: step ${n} percent ${percent} is not in (0, 100]`);
    }
    if (!Number.isInteger(percent)) {
      throw new RangeError(`${prefix}: step ${n} percent ${percent} is not a whole number`);
    }
    if (!Number.isFinite(afterHours) || afterHours < 0 || afterHours > MAX_ROLLOUT_HOURS) {
      throw new RangeError(
        `${prefix}: step ${n} at ${afterHours}h is not in [0, ${MAX_ROLLOUT_HOURS}] hours`,
      );
    }
    if (!Number.isInteger(afterHours)) {
      throw new RangeError(`${prefix}: step ${n} at ${afterHours}h is not a whole number of hours`);
    }
    const previous = steps[i - 1];
    if (!previous) {
      if (afterHours !== 0) {
        throw new RangeError(
          `${prefix}: step 1 is at ${afterHours}h; the first step starts at publication (0h)`,
        );
      }
      return;
    }
    if (afterHours <= previous.afterHours) {
      throw new RangeError(
        `${prefix}: step ${n} at ${afterHours}h is not after step ${i} at ${previous.afterHours}h ` +
          "(hours strictly increase)",
      );
    }
    if (percent < previous.percent) {
      throw new RangeError(
        `${prefix}: step ${n} percent ${percent} is below step ${i}'s ${previous.percent} (percents never decrease)`,
      );
    }
  });
}
