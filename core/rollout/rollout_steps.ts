/**
 * The `--rollout STEPS` spec of `repo add-app`: comma-separated `PERCENT[@HOURSh]`, e.g.
 * `5,25@24h,100@72h` (5% at publication, 25% from 24 hours after it, 100% from 72 hours). The
 * first step starts at publication (it takes no hours, or `@0h`); hours strictly increase;
 * percents are in (0, 100] and never decrease (the last need not be 100). Numbers are whole
 * (`1.5h` or `2.5` is refused: the signed metadata's canonical JSON has no fractions); a `%` after
 * a percent is allowed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatRolloutSteps, parseRolloutSteps } from "./rollout_steps.ts";
 * const steps = parseRolloutSteps("5,25@24h,100@72h");
 * assert.deepEqual(steps[1], { afterHours: 24, percent: 25 });
 * assert.equal(formatRolloutSteps(steps), "5,25@24h,100@72h");
 * ```
 * @module
 */
import { checkSteps } from "./_check_steps.ts";

/** One step: from `afterHours` after publication on, `percent` of the devices get the release. */
export interface RolloutStep {
  readonly afterHours: number;
  readonly percent: number;
}

const STEP = /^(\d+(?:\.\d+)?)%?(?:@(\d+(?:\.\d+)?)h)?$/;
const EXAMPLE = "PERCENT[@HOURSh], e.g. 5,25@24h,100@72h";

/**
 * Parse a STEPS spec. `SyntaxError` when a step is not `PERCENT[@HOURSh]` or a later step has no
 * hours; `RangeError` when the numbers break the rules (order, range, a fraction, the first step
 * not at 0h).
 * Messages name the step (from 1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRolloutSteps } from "./rollout_steps.ts";
 * assert.deepEqual(parseRolloutSteps("100"), [{ afterHours: 0, percent: 100 }]);
 * assert.throws(() => parseRolloutSteps("5,25"), SyntaxError);
 * assert.throws(() => parseRolloutSteps("25,5@24h"), /percents never decrease/);
 * assert.throws(() => parseRolloutSteps("5,50@1.5h"), /step 2 at 1.5h is not a whole number of hours/);
 * ```
 */
export function parseRolloutSteps(spec: string): RolloutStep[] {
  if (typeof spec !== "string") throw new TypeError("Cannot parse rollout steps: the spec must be a string");
  const where = `Cannot parse rollout steps '${spec.slice(0, 80)}'`;
  if (spec.trim() === "") throw new SyntaxError(`${where}: no steps (${EXAMPLE})`);
  const steps = spec.split(",").map((token, i) => {
    const m = STEP.exec(token.trim());
    if (!m) throw new SyntaxError(`${where}: step ${i + 1} '${token.trim().slice(0, 40)}' is not ${EXAMPLE}`);
    if (i > 0 && m[2] === undefined) {
      throw new SyntaxError(
        `${where}: step ${i + 1} '${token.trim()}' needs @HOURSh (only the first starts at 0h)`,
      );
    }
    return { afterHours: m[2] === undefined ? 0 : Number(m[2]), percent: Number(m[1]) };
  });
  checkSteps(steps, where);
  return steps;
}

/**
 * The STEPS spec of `steps` (the inverse of {@linkcode parseRolloutSteps}); the same
 * `RangeError`s for steps that break the rules.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatRolloutSteps } from "./rollout_steps.ts";
 * assert.equal(formatRolloutSteps([{ afterHours: 0, percent: 1 }, { afterHours: 2, percent: 100 }]), "1,100@2h");
 * ```
 */
export function formatRolloutSteps(steps: readonly RolloutStep[]): string {
  checkSteps(steps, "Cannot format rollout steps");
  return steps.map((s, i) => (i === 0 ? `${s.percent}` : `${s.percent}@${s.afterHours}h`)).join(",");
}
