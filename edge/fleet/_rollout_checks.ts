/** Private: the argument checks of the fleet store's rollout operations (`TypeError`/`RangeError`, `Cannot …`). */
import { parseRollout, ROLLOUT_ID, type RolloutState } from "../../core/rollout/mod.ts";
import type { RolloutReadOptions } from "./fleet_store.ts";
import type { RolloutRelease, RolloutUpdate } from "./rollouts/rollout_record.ts";
import { timeOf } from "./_store_checks.ts";

const STATES: readonly string[] = ["running", "paused", "halted", "ended", "done"];
const DEFAULT_TIMEOUT_MS = 60 * 60_000;

/** `TypeError` unless `id` is a rollout id. */
export function assertRolloutId(id: unknown, action: string): asserts id is string {
  if (typeof id !== "string" || !ROLLOUT_ID.test(id)) {
    throw new TypeError(`Cannot ${action}: '${String(id).slice(0, 80)}' is not a rollout id`);
  }
}

function assertStates(states: unknown, action: string): void {
  if (!Array.isArray(states) || states.some((s) => !STATES.includes(s))) {
    throw new TypeError(`Cannot ${action}: states must be some of ${STATES.join(", ")}`);
  }
}

/** The releases, each checked (its rollout parsed again: the store keeps only valid ones). */
export function checkRolloutReleases(releases: readonly RolloutRelease[]): RolloutRelease[] {
  if (!Array.isArray(releases)) throw new TypeError("Cannot sync rollouts: expected an array of releases");
  return releases.map((r, i) => {
    const { app, ref, commit, serial } = r ?? {};
    for (const [key, value] of Object.entries({ app, ref, commit })) {
      if (typeof value !== "string" || value.length === 0 || value.length > 512) {
        throw new TypeError(
          `Cannot sync rollouts: releases[${i}].${key} must be a string of 1 to 512 characters`,
        );
      }
    }
    if (!Number.isSafeInteger(serial)) {
      throw new TypeError(`Cannot sync rollouts: releases[${i}].serial must be an integer`);
    }
    const newestSerial = r.newestSerial ?? serial;
    if (!Number.isSafeInteger(newestSerial)) {
      throw new TypeError(`Cannot sync rollouts: releases[${i}].newestSerial must be an integer`);
    }
    return { app, ref, commit, serial, newestSerial, rollout: parseRollout(r.rollout) };
  });
}

/** `TypeError`/`RangeError` unless `update` and `from` are a valid hold change. */
export function checkRolloutUpdate(update: RolloutUpdate, from: readonly RolloutState[]): void {
  const { state, cap, reason } = update ?? {};
  assertStates([state], "update rollout");
  assertStates(from, "update rollout");
  if (cap !== null && (typeof cap !== "number" || !(cap >= 0 && cap <= 100))) {
    throw new RangeError("Cannot update rollout: 'cap' must be null or a percent in [0, 100]");
  }
  if (reason !== null && (typeof reason !== "string" || reason.length > 2000)) {
    throw new TypeError(
      "Cannot update rollout: 'reason' must be null or a string of at most 2000 characters",
    );
  }
}

/** The checked clock and timeout of a read that counts devices. */
export function rolloutReadOptions(
  options: RolloutReadOptions,
  action: string,
): { now: number; timeoutMs: number } {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 0) {
    throw new RangeError(`Cannot ${action}: 'timeoutMs' must be a non-negative integer`);
  }
  return { now: timeOf(options.now, action), timeoutMs };
}

/** The checked sizes of a failure listing: `groups` 1 to 100 (default 20), `examples` 0 to 20 (default 3). */
export function rolloutFailureOptions(
  options: { groups?: number; examples?: number },
): { groups: number; examples: number } {
  const { groups = 20, examples = 3 } = options;
  if (!Number.isSafeInteger(groups) || groups < 1 || groups > 100) {
    throw new RangeError(`Cannot list rollout failures: 'groups' must be 1 to 100, got ${groups}`);
  }
  if (!Number.isSafeInteger(examples) || examples < 0 || examples > 20) {
    throw new RangeError(`Cannot list rollout failures: 'examples' must be 0 to 20, got ${examples}`);
  }
  return { groups, examples };
}
