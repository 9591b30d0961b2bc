/**
 * The "now" a device may judge a rollout by. Its clock can be wrong (no RTC, bad NTP); a clock
 * in the future must not widen a rollout, so it is bounded by signed metadata: never later than
 * the expiry of the newest trusted timestamp metadata (its issue time plus its lifetime, 1 day by
 * default), which the device cannot have verified unless the real time is before it. A clock in
 * the past only delays the later steps; `notBefore` (a signed time known to have passed, such as
 * the newest `publishedAt` in the trusted targets) raises it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { effectiveNow } from "./effective_now.ts";
 * const timestampExpires = new Date("2026-03-02T00:00:00Z");
 * assert.deepEqual(effectiveNow(new Date("2031-01-01T00:00:00Z"), { timestampExpires }), timestampExpires);
 * const now = new Date("2026-03-01T08:00:00Z");
 * assert.deepEqual(effectiveNow(now, { timestampExpires }), now);
 * ```
 * @module
 */

/**
 * `deviceNow` bounded above by `timestampExpires` and, when given, below by `notBefore` (the
 * upper bound wins if they cross). On a device `TrustedRepository.expires` (the earliest expiry
 * of the trusted metadata, at most the timestamp's) serves as `timestampExpires`. `TypeError` for
 * an invalid Date.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { effectiveNow } from "./effective_now.ts";
 * const notBefore = new Date("2026-03-01T00:00:00Z");
 * const now = effectiveNow(new Date(0), { timestampExpires: new Date("2026-03-02T00:00:00Z"), notBefore });
 * assert.deepEqual(now, notBefore);
 * ```
 */
export function effectiveNow(
  deviceNow: Date,
  bounds: { timestampExpires: Date; notBefore?: Date },
): Date {
  const now = time(deviceNow, "deviceNow");
  const upper = time(bounds?.timestampExpires, "timestampExpires");
  const lower = bounds.notBefore === undefined ? -Infinity : time(bounds.notBefore, "notBefore");
  return new Date(Math.min(Math.max(now, lower), upper));
}

function time(value: unknown, name: string): number {
  if (!(value instanceof Date) || !Number.isFinite(value.getTime())) {
    throw new TypeError(`Cannot bound rollout time: ${name} must be a valid Date`);
  }
  return value.getTime();
}
