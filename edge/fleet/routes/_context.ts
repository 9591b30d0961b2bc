/** Private: what the fleet routes share (one per app). */
import type { DeviceKeyCache } from "../../../core/fleet/device_key_cache.ts";
import type { FleetAccess } from "./fleet_access.ts";
import type { RateLimiter } from "./rate_limiter.ts";
import type { RolloutWatch } from "../rollouts/rollout_watch.ts";

/** The fleet routes' shared state and settings. */
export interface FleetContext {
  fleet: FleetAccess;
  /** Per-device token buckets. */
  limiter: RateLimiter;
  /** Devices' imported verify keys, by device id and stored public key (their state is never cached). */
  keys: DeviceKeyCache;
  /** Bearer token of the operator API; the API is refused (403) without one. */
  operatorToken?: string;
  /** SHA-256 (hex) of the configured enrolment token, when there is one. */
  enrollTokenHash?: Promise<string>;
  /** New devices enrolling without a token are refused while this many are pending. */
  maxPendingDevices: number;
  /** Milliseconds since the epoch. */
  clock: () => number;
  /** The rollouts the edge knows: check-in holds, halts, the operator's actions. */
  rollouts: RolloutWatch;
}

/** Headers of every fleet response: never cached, never sniffed as anything but JSON. */
export const FLEET_HEADERS: Record<string, string> = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
};
