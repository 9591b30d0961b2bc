/**
 * The operator's rollout routes (DESIGN.md §6, §9), behind the operator token like the rest of
 * `/v1/fleet/`:
 *
 * - `GET /v1/fleet/rollouts[?app=&commit=&state=&limit=]` -> `{ items: RolloutDocument[] }`, newest
 *   first (`state` may repeat; `limit` 1 to 500, default 50).
 * - `GET /v1/fleet/rollouts/<id>` -> the rollout (`rollouts/rollout_document.ts`); 404 when unknown.
 * - `POST /v1/fleet/rollouts/<id>/pause | /resume | /end` -> the rollout afterwards; 409
 *   `E_CONFLICT` when its state does not allow it (`rollouts/rollout_watch.ts`).
 * @module
 */
import type { Hono } from "hono";
import type { MiddlewareHandler } from "hono";
import { ROLLOUT_ID, type RolloutState } from "../../../core/rollout/mod.ts";
import { jsonResponse } from "../../http.ts";
import type { RolloutFilter } from "../rollouts/rollout_record.ts";
import { FLEET_HEADERS, type FleetContext } from "./_context.ts";

const STATES: readonly string[] = ["running", "paused", "halted", "ended", "done"];

/** 400 unless the path's id is a rollout id. */
function assertRolloutId(id: string, action: string): void {
  if (!ROLLOUT_ID.test(id)) throw new TypeError(`Cannot ${action}: '${id.slice(0, 80)}' is not a rollout id`);
}

/** The list's query (400 for unknown or malformed parameters). */
function rolloutQuery(url: string): RolloutFilter {
  const params = new URL(url).searchParams;
  const filter: RolloutFilter = {};
  const states: RolloutState[] = [];
  for (const [key, value] of params) {
    if (key === "app" || key === "commit") {
      if (value.length === 0 || value.length > 257) {
        throw new TypeError(`Cannot list rollouts: '${key}' must be 1 to 257 characters`);
      }
      filter[key] = value;
    } else if (key === "state") {
      if (!STATES.includes(value)) {
        throw new TypeError(`Cannot list rollouts: 'state' must be one of ${STATES.join(", ")}`);
      }
      states.push(value as RolloutState);
    } else if (key === "limit") {
      if (!/^\d{1,4}$/.test(value)) throw new TypeError("Cannot list rollouts: 'limit' must be a number");
      filter.limit = Number(value);
    } else {
      throw new TypeError(`Cannot list rollouts: unknown parameter '${key.slice(0, 40)}'`);
    }
  }
  if (states.length > 0) filter.states = states;
  return filter;
}

/**
 * Registers the rollout routes behind `auth`.
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
 * const res = await app.request("/v1/fleet/rollouts", { headers: { authorization: "Bearer operator-token" } });
 * assert.deepEqual(await res.json(), { items: [] });
 * await fleet.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function rolloutRoutes(app: Hono, ctx: FleetContext, auth: MiddlewareHandler): void {
  const json = (value: unknown) => jsonResponse(value, { headers: FLEET_HEADERS });
  app.get("/v1/fleet/rollouts", auth, async (c) => {
    const filter = rolloutQuery(c.req.url);
    const store = await ctx.fleet.get();
    return json({ items: await ctx.rollouts.list(store, filter) });
  });
  app.get("/v1/fleet/rollouts/:id", auth, async (c) => {
    const id = c.req.param("id");
    assertRolloutId(id, "get rollout");
    return json(await ctx.rollouts.get(await ctx.fleet.get(), id));
  });
  for (const action of ["pause", "resume", "end"] as const) {
    app.post(`/v1/fleet/rollouts/:id/${action}`, auth, async (c) => {
      const id = c.req.param("id");
      assertRolloutId(id, `${action} rollout`);
      return json(await ctx.rollouts.act(await ctx.fleet.get(), id, action));
    });
  }
}
