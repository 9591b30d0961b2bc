/** Private: the argument checks of the SQL fleet store (`TypeError`/`RangeError`, `Cannot …`). */
import { DEVICE_STATES, type DeviceState, type DeviceWriteOptions } from "./fleet_store.ts";

/** `TypeError` unless `state` is a device state. */
export function assertState(state: unknown): asserts state is DeviceState {
  if (!DEVICE_STATES.includes(state as DeviceState)) {
    throw new TypeError(`Cannot use device state '${String(state)}': expected accepted, pending or rejected`);
  }
}

/** `RangeError` unless `counter` is an integer from 1 to 2^53-1. */
export function assertCounter(counter: unknown): asserts counter is number {
  if (!Number.isSafeInteger(counter) || (counter as number) < 1) {
    throw new RangeError(`Cannot use counter ${String(counter)}: expected an integer from 1 to 2^53-1`);
  }
}

/** `TypeError` unless `hash` is a lower-case hex SHA-256. */
export function assertTokenHash(hash: unknown): asserts hash is string {
  if (typeof hash !== "string" || !/^[0-9a-f]{64}$/.test(hash)) {
    throw new TypeError("Cannot use enrolment token: its hash must be 64 lower-case hex digits");
  }
}

/** Milliseconds of `now` (default the clock); `TypeError` for an invalid `Date`. */
export function timeOf(now: Date | undefined, what: string): number {
  const ms = now === undefined ? Date.now() : now instanceof Date ? now.getTime() : NaN;
  if (!Number.isFinite(ms)) throw new TypeError(`Cannot ${what}: 'now' must be a valid Date`);
  return ms;
}

/** The checked counter and key condition (`null`: none) of a device's write. */
export function checkWriteOptions(
  options: DeviceWriteOptions,
): { counter: number; publicKey: string | null } {
  const { counter, publicKey } = options ?? {};
  assertCounter(counter);
  if (publicKey !== undefined && typeof publicKey !== "string") {
    throw new TypeError("Cannot write device: 'publicKey' must be a string");
  }
  return { counter, publicKey: publicKey ?? null };
}
