/**
 * Private: where a rollout stands at a time: the signed percent then, and the next step if any.
 * Before `publishedAt` the first step applies (see percent_at.ts).
 */
import type { Rollout } from "./rollout.ts";

const HOUR_MS = 3_600_000;

/** The percent at `now` and the next step (percent and start). `TypeError` for an invalid `now`. */
export function scheduleAt(
  rollout: Rollout,
  now: Date,
): { percent: number; next?: { percent: number; at: Date } } {
  if (!(now instanceof Date) || !Number.isFinite(now.getTime())) {
    throw new TypeError("Cannot compute rollout percent: now must be a valid Date");
  }
  const start = Date.parse(rollout.publishedAt);
  const t = now.getTime();
  const [first, ...later] = rollout.steps;
  if (!first || !Number.isFinite(start)) {
    throw new TypeError(`Cannot compute rollout percent: rollout '${rollout.id}' is malformed`);
  }
  let percent = first.percent;
  for (const step of later) {
    const at = start + step.afterHours * HOUR_MS;
    if (t < at) return { percent, next: { percent: step.percent, at: new Date(at) } };
    percent = step.percent;
  }
  return { percent };
}
