/**
 * Cloudflare Workers module entry (bundled into `dist/worker.js`). Bindings: `BUCKET` (R2: blobs
 * and metadata), optional `METADATA` (KV cache for immutable metadata), optional `FLEET` (or `DB`)
 * D1 database (enables the fleet API; migrations run on the first fleet request), secrets
 * `DROVER_TOKEN`, `DROVER_OPERATOR_TOKEN`, `DROVER_ENROLL_TOKEN`, `DROVER_SNAPSHOT_KEY` and
 * `DROVER_TIMESTAMP_KEY` (key-file JSON), optional `DROVER_PUBLIC_URL` and the other `DROVER_*`
 * settings of `_env_config.ts`. A cron trigger renews the timestamp, prunes fleet reports older
 * than `DROVER_REPORT_RETENTION_DAYS` and judges running rollouts by their halt rule (`scheduled`);
 * requests renew the timestamp lazily too.
 * @module
 */
import { setAbilities } from "../core/abilities.ts";
import { nodeAbilities } from "../core/node.ts";
import { parseKeyFile } from "../core/trust/mod.ts";
import { createApp, type EdgeApp } from "./app.ts";
import { configFromEnv } from "./_env_config.ts";
import { type KvLike, type R2BucketLike, R2Storage } from "./storage/r2_storage.ts";
import { type D1Database, D1FleetStore } from "./fleet/d1_fleet_store.ts";

/** The Worker's bindings. */
export interface WorkerEnv {
  BUCKET: R2BucketLike;
  METADATA?: KvLike;
  /** The fleet database (`DB` is accepted too). */
  FLEET?: D1Database;
  DB?: D1Database;
  DROVER_TOKEN?: string;
  DROVER_OPERATOR_TOKEN?: string;
  DROVER_ENROLL_TOKEN?: string;
  DROVER_SNAPSHOT_KEY?: string;
  DROVER_TIMESTAMP_KEY?: string;
  DROVER_PUBLIC_URL?: string;
  DROVER_MAX_UPLOAD_BYTES?: string;
  DROVER_RESOLUTION_TTL_MS?: string;
  DROVER_REPORT_RETENTION_DAYS?: string;
  DROVER_ROLLOUT_TIMEOUT_MINUTES?: string;
}

interface Ctx {
  waitUntil(promise: Promise<unknown>): void;
}

setAbilities(nodeAbilities);
let app: EdgeApp | undefined;

function appFor(env: WorkerEnv): EdgeApp {
  const d1 = env.FLEET ?? env.DB;
  return app ??= createApp({
    storage: new R2Storage(env.BUCKET, { kv: env.METADATA }),
    keys: {
      snapshot: env.DROVER_SNAPSHOT_KEY ? parseKeyFile(env.DROVER_SNAPSHOT_KEY) : undefined,
      timestamp: env.DROVER_TIMESTAMP_KEY ? parseKeyFile(env.DROVER_TIMESTAMP_KEY) : undefined,
    },
    config: configFromEnv(env as unknown as Record<string, unknown>),
    ...(d1 ? { fleet: () => D1FleetStore.open(d1) } : {}),
  });
}

export default {
  fetch(request: Request, env: WorkerEnv, ctx: Ctx): Response | Promise<Response> {
    return appFor(env).fetch(request, env, ctx as never);
  },
  scheduled(_event: unknown, env: WorkerEnv, ctx: Ctx): void {
    const edge = appFor(env);
    ctx.waitUntil(Promise.all([edge.renewTimestamp(), edge.pruneReports(), edge.checkRollouts()]));
  },
};
