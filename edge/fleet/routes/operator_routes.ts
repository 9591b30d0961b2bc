/**
 * The operator half of the fleet API (DESIGN.md §6), behind the operator's bearer token
 * (`DROVER_OPERATOR_TOKEN`, else `DROVER_TOKEN`; 401 without it, 403 when wrong or when none is
 * configured):
 *
 * - `GET /v1/fleet/devices[?app=&commit=&state=&label=k=v&seenSince=&limit=&cursor=]` ->
 *   `{ items: Device[], next }`: filters combine (every `label` must match; `commit` is a commit or
 *   its first 7 or more hex digits), pages in id order (`limit` 1 to 500, default 50; pass `next`
 *   as `cursor` for the following page).
 * - `GET /v1/fleet/devices/<id>[?reports=N]` -> the device with its full inventory, per-release
 *   counters and its N (default 20, at most 100) newest reports; 404 when unknown.
 * - `POST /v1/fleet/devices/<id>/accept`, `/reject` -> the device.
 * - `GET /v1/fleet/summary[?staleAfterMs=]` -> devices by state, seen recently or stale, devices per
 *   app/ref/commit, latest install outcomes.
 * - `POST /v1/fleet/enroll-tokens` with an optional `{ "ttlMs"?: n, "uses"?: n | null }` (default
 *   7 days, any number of uses) -> 201 `{ token, expiresAt, uses }`; the token is shown once.
 * - `/v1/fleet/rollouts…`: the rollouts (`rollout_routes.ts`).
 *
 * Unknown query parameters are a 400. Everything a device supplied is returned as JSON data,
 * verbatim.
 * @module
 */
import type { Hono } from "hono";
import { every } from "hono/combine";
import { assertDeviceId } from "../../../core/fleet/device_identity.ts";
import { NotFoundError } from "../../../core/errors.ts";
import { publishAuth } from "../../auth.ts";
import { limitBody } from "../../body.ts";
import { jsonResponse } from "../../http.ts";
import { FLEET_HEADERS, type FleetContext } from "./_context.ts";
import { parseJsonBody } from "./_device_auth.ts";
import { deviceQuery, listQuery, summaryQuery } from "./_query.ts";
import { hashEnrollToken, mintEnrollToken } from "./enroll_token.ts";
import { rolloutRoutes } from "./rollout_routes.ts";

const DAY_MS = 24 * 3600_000;

/** Longest life of a minted enrolment token. */
export const MAX_ENROLL_TOKEN_TTL_MS = 366 * DAY_MS;

function tokenRequest(body: Uint8Array): { ttlMs: number; uses: number | null } {
  if (body.length === 0) return { ttlMs: 7 * DAY_MS, uses: null };
  const doc = parseJsonBody(body, "enroll-token request");
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new TypeError("Cannot mint enrolment token: the body must be a JSON object");
  }
  const { ttlMs = 7 * DAY_MS, uses = null, ...rest } = doc as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) {
    throw new TypeError(`Cannot mint enrolment token: unknown field '${unknown.slice(0, 40)}'`);
  }
  if (
    !Number.isSafeInteger(ttlMs) || (ttlMs as number) < 1000 || (ttlMs as number) > MAX_ENROLL_TOKEN_TTL_MS
  ) {
    throw new RangeError(
      `Cannot mint enrolment token: 'ttlMs' must be an integer from 1000 to ${MAX_ENROLL_TOKEN_TTL_MS}`,
    );
  }
  if (uses !== null && (!Number.isSafeInteger(uses) || (uses as number) < 1)) {
    throw new RangeError("Cannot mint enrolment token: 'uses' must be a positive integer or null");
  }
  return { ttlMs: ttlMs as number, uses: uses as number | null };
}

/**
 * Registers the operator routes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createApp } from "../../app.ts";
 * import { FsStorage } from "../../storage/fs_storage.ts";
 * import { SqliteFleetStore } from "../sqlite_fleet_store.ts";
 * const dir = await Deno.makeTempDir();
 * const fleet = await SqliteFleetStore.open(":memory:");
 * const app = createApp({ storage: new FsStorage(dir), fleet, config: { operatorToken: "operator-token" } });
 * const res = await app.request("/v1/fleet/summary", { headers: { authorization: "Bearer operator-token" } });
 * assert.equal((await res.json()).devices.total, 0);
 * assert.equal((await app.request("/v1/fleet/summary")).status, 401);
 * await fleet.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function operatorRoutes(app: Hono, ctx: FleetContext): void {
  const token = publishAuth(ctx.operatorToken, {
    action: "use the fleet API",
    disabled: "the fleet API is disabled",
  });
  const auth = every(ctx.fleet.required, token);
  const json = (value: unknown, status = 200) => jsonResponse(value, { status, headers: FLEET_HEADERS });
  const now = () => new Date(ctx.clock());

  app.get("/v1/fleet/devices", auth, async (c) => {
    const store = await ctx.fleet.get();
    return json(await store.listDevices(listQuery(c.req.url)));
  });
  app.get("/v1/fleet/devices/:id", auth, async (c) => {
    const id = c.req.param("id");
    assertDeviceId(id);
    const store = await ctx.fleet.get();
    const device = await store.getDevice(id, deviceQuery(c.req.url));
    if (!device) throw new NotFoundError(`Cannot find device ${id}: not enrolled`);
    return json(device);
  });
  for (const [action, state] of [["accept", "accepted"], ["reject", "rejected"]] as const) {
    app.post(`/v1/fleet/devices/:id/${action}`, auth, async (c) => {
      const id = c.req.param("id");
      assertDeviceId(id);
      const store = await ctx.fleet.get();
      return json(await store.setState(id, state));
    });
  }
  app.get("/v1/fleet/summary", auth, async (c) => {
    const store = await ctx.fleet.get();
    return json(await store.summary({ ...summaryQuery(c.req.url), now: now() }));
  });
  app.post("/v1/fleet/enroll-tokens", auth, limitBody(4096), async (c) => {
    const store = await ctx.fleet.get();
    const { ttlMs, uses } = tokenRequest(new Uint8Array(await c.req.arrayBuffer()));
    const token = mintEnrollToken();
    const expiresAt = new Date(ctx.clock() + ttlMs);
    await store.addEnrollToken({ hash: await hashEnrollToken(token), expiresAt, uses }, { now: now() });
    return json({ token, expiresAt, uses }, 201);
  });
  rolloutRoutes(app, ctx, auth);
}
