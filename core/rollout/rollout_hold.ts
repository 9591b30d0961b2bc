/**
 * What the edge says about the rollouts it knows (the check-in answer's `rollouts`, keyed by
 * rollout id): `{ "<rolloutId>": { "cap": 10, "state": "paused" } }`. A `cap` (percent in [0, 100];
 * `null` or absent: none) can only lower the signed percent; `state` is the operator's or the halt
 * rule's word, as in the fleet API: `running`, `paused` (held at its cap), `halted` (with cap 0:
 * the release is withdrawn from devices that have not installed it), `ended` or `done`. The edge
 * is not trusted: whatever it says, a device never goes beyond the signed rollout.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRolloutHolds } from "./rollout_hold.ts";
 * const holds = parseRolloutHolds({ "acme:radio:main:7:0123abc": { cap: 0, state: "halted" } });
 * assert.equal(holds["acme:radio:main:7:0123abc"]?.state, "halted");
 * assert.throws(() => parseRolloutHolds({ r1: { cap: 101 } }), RangeError);
 * ```
 * @module
 */
import { ROLLOUT_ID } from "./rollout.ts";

/** The edge's word on a rollout (the fleet API's rollout states). */
export type RolloutState = "running" | "paused" | "halted" | "ended" | "done";

/** The edge's hold on one rollout. */
export interface RolloutHold {
  /** Percent in [0, 100]: the rollout goes no further than this; `null`: no cap. */
  cap: number | null;
  state: RolloutState;
}

/** Most rollouts in one answer. */
export const MAX_ROLLOUT_HOLDS = 1000;

const STATES: readonly string[] = ["running", "paused", "halted", "ended", "done"];

/**
 * Check the edge's `rollouts` object (parsed JSON); returns a fresh null-prototype copy.
 * `TypeError` for a wrong shape, a bad id or an unknown state, `RangeError` for a cap outside
 * [0, 100] or too many entries. `cap` defaults to `null`, `state` to `running`; other fields are
 * ignored (a newer edge may send more; ignoring them can never widen a rollout past its signed
 * percent).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRolloutHolds } from "./rollout_hold.ts";
 * assert.deepEqual({ ...parseRolloutHolds({ r1: { cap: 25 } }) }, { r1: { cap: 25, state: "running" } });
 * ```
 */
export function parseRolloutHolds(value: unknown): Record<string, RolloutHold> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError("Cannot read rollout holds: rollouts must be an object");
  }
  const entries = Object.entries(value);
  if (entries.length > MAX_ROLLOUT_HOLDS) {
    throw new RangeError(
      `Cannot read rollout holds: ${entries.length} rollouts, at most ${MAX_ROLLOUT_HOLDS}`,
    );
  }
  const out: Record<string, RolloutHold> = Object.create(null);
  for (const [id, hold] of entries) {
    const at = `Cannot read rollout holds: rollouts['${id.slice(0, 80)}']`;
    if (!ROLLOUT_ID.test(id)) throw new TypeError(`${at} is not a rollout id`);
    if (typeof hold !== "object" || hold === null || Array.isArray(hold)) {
      throw new TypeError(`${at} must be an object`);
    }
    const { cap = null, state = "running" } = hold as Record<string, unknown>;
    if (cap !== null && typeof cap !== "number") throw new TypeError(`${at}.cap must be a number or null`);
    if (cap !== null && !(cap >= 0 && cap <= 100)) {
      throw new RangeError(`${at}.cap ${cap} is not in [0, 100]`);
    }
    if (typeof state !== "string" || !STATES.includes(state)) {
      throw new TypeError(`${at}.state must be one of ${STATES.join(", ")}`);
    }
    out[id] = { cap, state: state as RolloutState };
  }
  return out;
}
