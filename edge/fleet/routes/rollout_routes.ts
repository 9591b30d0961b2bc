/**
 * The operator's rollout routes (DESIGN.md §6, §9), behind the operator token like the rest of
 * `/v1/fleet/`:
 *
 * - `GET /v1/fleet/rollouts[?app=&commit=&state=&limit=&cursor=]` -> `{ items: RolloutDocument[], next }`,
 *   newest first (`state` may repeat; `limit` 1 to 500, default 50); `next` is the last item's id
 *   when more follow (pass it as `cursor` for the following page), else `null`.
 * - `GET /v1/fleet/rollouts/<id>` -> the rollout (`rollouts/rollout_document.ts`); 404 when unknown.
 * - `POST /v1/fleet/rollouts/<id>/pause | /resume | /end` -> the rollout afterwards; 409
 *   `E_CONFLICT` when its state does not allow it (`rollouts/rollout_watch.ts`).
 * @module
 */
import type { Hono } from "hono";
import type { MiddlewareHandler } from "hono";
import { NotFoundError } from "../../../core/errors.ts";
import { ROLLOUT_ID, type RolloutState } from "../../../core/rollout/mod.ts";
import { jsonResponse } from "../../http.ts";
import type { FleetStore } from "../fleet_store.ts";
import type { RolloutFilter } from "../rollouts/rollout_record.ts";
import { FLEET_HEADERS, type FleetContext } from "./_context.ts";

const STATES: readonly string[] = ["running", "paused", "halted", "ended", "done"];

/** Rollouts per page unless `limit` says otherwise. */
const LIST_LIMIT = 50;

/** 400 unless the path's id is a rollout id. */
function assertRolloutId(id: string, action: string): void {
  if (!ROLLOUT_ID.test(id)) throw new TypeError(`Cannot ${action}: '${id.slice(0, 80)}' is not a rollout id`);
}

/** The list's query (400 for unknown or malformed parameters). */
function rolloutQuery(url: string): RolloutFilter & { limit: number } {
  const params = new URL(url).searchParams;
  const filter: RolloutFilter & { limit: number } = { limit: LIST_LIMIT };
  const states: RolloutState[] = [];
  const seen = new Set<string>();
  for (const [key, value] of params) {
    if (key !== "state" && seen.has(key)) throw new TypeError(`Cannot list rollouts: '${key}' given twice`);
    seen.add(key);
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
    } else if (key === "cursor") {
      assertRolloutId(value, "list rollouts");
      filter.cursor = value;
    } else if (key === "limit") {
      const limit = /^\d{1,4}$/.test(value) ? Number(value) : NaN;
      if (!(limit >= 1 && limit <= 500)) {
        throw new RangeError("Cannot list rollouts: 'limit' must be an integer from 1 to 500");
      }
      filter.limit = limit;
    } else {
      throw new TypeError(`Cannot list rollouts: unknown parameter '${key.slice(0, 40)}'`);
    }
  }
  if (states.length > 0) filter.states = states;
  return filter;
}

/**
 * The id to pass as `cursor` for the page after `items` (`null`: no more); 400 for a cursor that
 * names no rollout.
 */
async function nextCursor(
  ctx: FleetContext,
  store: FleetStore,
  filter: RolloutFilter & { limit: number },
  items: readonly { id: string }[],
): Promise<string | null> {
  const last = items.at(-1)?.id;
  if (last === undefined) {
    if (filter.cursor !== undefined) {
      try {
        await ctx.rollouts.record(store, filter.cursor);
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        throw new TypeError(
          `Cannot list rollouts: cursor '${filter.cursor}' names no rollout this edge knows`,
        );
      }
    }
    return null;
  }
  if (items.length < filter.limit) return null;
  const more = await ctx.rollouts.records(store, { ...filter, cursor: last, limit: 1 });
  return more.length > 0 ? last : null;
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
 * assert.deepEqual(await res.json(), { items: [], next: null });
 * await fleet.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function rolloutRoutes(app: Hono, ctx: FleetContext, auth: MiddlewareHandler): void {
  const json = (value: unknown) => jsonResponse(value, { headers: FLEET_HEADERS });
  app.get("/v1/fleet/rollouts", auth, async (c) => {
    const filter = rolloutQuery(c.req.url);
    const store = await ctx.fleet.get();
    const items = await ctx.rollouts.list(store, filter);
    return json({ items, next: await nextCursor(ctx, store, filter, items) });
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
