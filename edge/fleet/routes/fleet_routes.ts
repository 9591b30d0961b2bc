/**
 * The fleet API of the edge (DESIGN.md §6): the device routes (`device_routes.ts`, signed by the
 * device) and the operator routes (`operator_routes.ts`, bearer token), over one `FleetStore`.
 * `createApp` registers them; without a fleet they answer 404 `E_NO_FLEET`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { fleetRoutes } from "./fleet_routes.ts";
 * const app = new Hono();
 * const fleet = fleetRoutes(app, { clock: Date.now });
 * app.onError((e) => new Response(null, { status: (e as { status?: number }).status ?? 500 }));
 * assert.equal((await app.request("/v1/devices", { method: "POST" })).status, 404);
 * assert.equal(fleet.configured, false);
 * ```
 * @module
 */
import type { Hono } from "hono";
import { DeviceKeyCache } from "../../../core/fleet/device_key_cache.ts";
import { FleetAccess, type FleetSource } from "./fleet_access.ts";
import { RateLimiter } from "./rate_limiter.ts";
import { hashEnrollToken } from "./enroll_token.ts";
import { deviceRoutes } from "./device_routes.ts";
import { operatorRoutes } from "./operator_routes.ts";
import { RolloutWatch } from "../rollouts/rollout_watch.ts";
import type { RolloutRelease } from "../rollouts/rollout_record.ts";

export type { FleetSource };

/** Options of {@linkcode fleetRoutes}. */
export interface FleetRouteOptions {
  /** The store, or a function opening it on first use; absent: no fleet API. */
  fleet?: FleetSource;
  /** Bearer token of the operator API (absent: the operator API answers 403). */
  operatorToken?: string;
  /** The configured enrolment token. */
  enrollToken?: string;
  /** Per-device rate limit: requests at once (default 30) and per minute after (default 20). */
  deviceBurst?: number;
  deviceRatePerMinute?: number;
  /** Token-less enrolments are refused while this many devices are pending (default 10000). */
  maxPendingDevices?: number;
  clock: () => number;
  /** The releases with a signed rollout in the metadata served now (absent: none). */
  rolloutReleases?: () => Promise<readonly RolloutRelease[]> | readonly RolloutRelease[];
  /** A device that started a rollout's install and sent no outcome this long has timed out (default 60 min). */
  rolloutTimeoutMs?: number;
  /** Where background failures and halts are reported (default `console.error`). */
  log?: (line: string) => void;
}

/** The store access (to prune and close) and the rollouts (the periodic job). */
export type FleetRoutes = FleetAccess & { rollouts: RolloutWatch };

/** Registers the fleet routes on `app`; returns the store access (to prune and close) and the rollouts. */
export function fleetRoutes(app: Hono, options: FleetRouteOptions): FleetRoutes {
  const fleet = new FleetAccess(options.fleet);
  const ctx = {
    fleet,
    limiter: new RateLimiter({
      burst: options.deviceBurst ?? 30,
      perMinute: options.deviceRatePerMinute ?? 20,
    }),
    keys: new DeviceKeyCache({ maxEntries: 10_000 }),
    ...(options.operatorToken === undefined ? {} : { operatorToken: options.operatorToken }),
    ...(options.enrollToken === undefined ? {} : { enrollTokenHash: hashEnrollToken(options.enrollToken) }),
    maxPendingDevices: options.maxPendingDevices ?? 10_000,
    clock: options.clock,
    rollouts: new RolloutWatch({
      ...(options.rolloutReleases ? { releases: options.rolloutReleases } : {}),
      timeoutMs: options.rolloutTimeoutMs ?? 60 * 60_000,
      clock: options.clock,
      ...(options.log ? { log: options.log } : {}),
    }),
  };
  deviceRoutes(app, ctx);
  operatorRoutes(app, ctx);
  return Object.assign(fleet, { rollouts: ctx.rollouts });
}
