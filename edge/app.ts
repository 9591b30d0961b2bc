/**
 * The edge app: a runtime-agnostic Hono app over one {@linkcode Storage}. Runtime entries
 * (`edge/deno.ts`, `edge/worker.ts`) build a storage and call {@linkcode createApp}.
 * HTTP contract: DESIGN.md §6.
 * @module
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { methodNotAllowed } from "hono/method-not-allowed";
import type { Storage } from "./storage/storage.ts";
import { type EdgeConfig, resolveConfig } from "./_config.ts";
import { type EdgeKeys, RepoState } from "./repo_state.ts";
import { errorResponse, toErrorReply } from "./http_error.ts";
import { clientGone } from "./_client_gone.ts";
import { releasesRoutes } from "./routes/releases.ts";
import { tufRoutes } from "./routes/tuf.ts";
import { targetsRoutes } from "./routes/targets.ts";
import { deviceTypesRoutes } from "./routes/device_types.ts";
import { imagesRoutes } from "./routes/images.ts";
import { uploadRoutes } from "./routes/upload.ts";
import { metadataRoutes } from "./routes/metadata.ts";
import { healthRoutes } from "./routes/health.ts";
import { fleetRoutes, type FleetSource } from "./fleet/routes/fleet_routes.ts";
import { uiRoutes } from "./ui/ui_routes.tsx";
import { rolloutReleasesOf } from "./fleet/rollouts/rollout_releases.ts";

export type { EdgeConfig, EdgeKeys, FleetSource };

/** Options of {@linkcode createApp}. */
export interface CreateAppOptions {
  storage: Storage;
  config?: EdgeConfig;
  /** Online keys: with both, the edge accepts `POST /v1/metadata` and renews the timestamp. */
  keys?: EdgeKeys;
  /**
   * The fleet database (`SqliteFleetStore`, `D1FleetStore`), or a function opening it on first use:
   * enables the fleet API (`/v1/devices…`, `/v1/fleet/…`); without it those answer 404 `E_NO_FLEET`.
   * The caller opens and closes it.
   */
  fleet?: FleetSource;
}

/** The Hono app plus what schedulers need. */
export type EdgeApp = Hono & {
  /** Renews `timestamp.json` if it expires within the configured margin (cron / `scheduled()`). */
  renewTimestamp(): Promise<boolean>;
  /** Deletes fleet reports older than `reportRetentionDays` (0 without a fleet); resolves with how many. */
  pruneReports(): Promise<number>;
  /**
   * Registers the rollouts of the served metadata and judges the running ones by their halt rule
   * (devices gone silent count as time passes); resolves with how many it halted (0 without a fleet).
   */
  checkRollouts(): Promise<number>;
};

/**
 * Creates the edge app.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createApp } from "./app.ts";
 * import { FsStorage } from "./storage/fs_storage.ts";
 * const dir = await Deno.makeTempDir();
 * const app = createApp({ storage: new FsStorage(dir), config: { token: "a-long-token" } });
 * const res = await app.request("/nope");
 * assert.ok(res.status === 404 && (await res.json()).error.code === "E_NOT_FOUND");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function createApp(options: CreateAppOptions): EdgeApp {
  if (!options || typeof options.storage?.get !== "function") {
    throw new TypeError("Cannot create edge app: a storage is required");
  }
  const config = resolveConfig(options.config);
  const state = new RepoState(options.storage, { config, keys: { ...options.keys } });
  const app = new Hono() as EdgeApp;

  // a path some route serves, asked with another method: 405 with Allow (Hono derives it from the routes)
  app.use(methodNotAllowed({
    app,
    onMethodNotAllowed: (c, methods) =>
      errorResponse({
        status: 405,
        code: "E_METHOD",
        message: `Cannot ${c.req.method.slice(0, 16)} ${c.req.path.slice(0, 200)}: allowed ${
          methods.join(", ")
        }`,
        headers: { allow: methods.join(", ") },
      }),
  }));
  // legacy clients get no release the fleet's rollouts hold back (`fleet` is set below, before any request)
  releasesRoutes(app, state, {
    holds: async (view) => {
      if (!fleet.configured) return {};
      const apps = new Map(
        rolloutReleasesOf(view).map((r) => [`${r.app}\n${r.ref}`, { name: r.app, ref: r.ref }]),
      );
      return await fleet.rollouts.holds(await fleet.get(), [...apps.values()]);
    },
  });
  healthRoutes(app, state);
  tufRoutes(app, state);
  targetsRoutes(app, state);
  deviceTypesRoutes(app, state);
  imagesRoutes(app, state);
  uploadRoutes(app, state);
  metadataRoutes(app, state);
  const fleet = fleetRoutes(app, {
    fleet: options.fleet,
    operatorToken: config.operatorToken,
    enrollToken: config.enrollToken,
    deviceBurst: config.deviceBurst,
    deviceRatePerMinute: config.deviceRatePerMinute,
    maxPendingDevices: config.maxPendingDevices,
    clock: config.clock,
    rolloutReleases: async () => rolloutReleasesOf(await state.view()),
    rolloutTimeoutMs: Math.round(config.rolloutTimeoutMinutes * 60_000),
    log: config.log,
  });
  // the operator's dashboard (/ui/): HTML pages over the same fleet store and repository view
  uiRoutes(app, {
    fleet,
    state,
    operatorToken: config.operatorToken,
    publicUrl: config.publicUrl,
    clock: config.clock,
    log: config.log,
  });

  app.notFound((c) =>
    errorResponse({
      status: 404,
      code: "E_NOT_FOUND",
      message: `Cannot find ${c.req.path.slice(0, 200)}: no such resource`,
      headers: {},
    })
  );
  app.onError(async (error, c) => {
    // a body the route did not read (a refused upload) is not waited for
    if (c.req.raw.body && !c.req.raw.bodyUsed) await c.req.raw.body.cancel().catch(() => {});
    // Hono's own middlewares (bearerAuth) carry their response, already in the edge's error shape
    if (error instanceof HTTPException) return error.getResponse();
    // a client gone mid-request (an interrupted upload) is no edge error: its request line says 499
    const reply = toErrorReply(clientGone(c.req.raw, error) ?? error);
    if (reply.internal) {
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      config.log(`edge error: ${detail}`);
    }
    return errorResponse(reply);
  });
  app.renewTimestamp = () => state.renewIfDue();
  app.pruneReports = async () => {
    if (!fleet.configured) return 0;
    const store = await fleet.get();
    return await store.pruneReports(Math.round(config.reportRetentionDays * 24 * 3600_000), {
      now: new Date(config.clock()),
    });
  };
  app.checkRollouts = async () => {
    if (!fleet.configured) return 0;
    return (await fleet.rollouts.tick(await fleet.get())).length;
  };
  // Fast lane: repeated GETs of URL-keyed responses (releases, image redirects and listings,
  // device types) are answered from the response cache without running the router.
  const route = app.fetch;
  app.fetch = (request, env, ctx) => {
    if (request.method === "GET") {
      const hit = state.cachedFor(request.url);
      if (hit) return hit;
    }
    return route(request, env, ctx);
  };
  return app;
}
