/**
 * Test helper: bundles `edge/worker.ts` with the same esbuild options as `dist/worker.js` and runs
 * it in workerd through miniflare on 127.0.0.1, with R2, KV and D1 persisted to a temp directory and
 * a static repository copied into the bucket as is.
 * @module
 */
import * as esbuild from "esbuild";
import { Miniflare } from "miniflare";
import { fileURLToPath } from "node:url";
import { importMapPlugin } from "../../scripts/esbuild_plugins.ts";
import { workerBuildOptions } from "../../edge/worker_build.ts";
import type { FsStorage } from "../../edge/storage/fs_storage.ts";

/** A running worker. */
export interface WorkerEdge {
  url: string;
  /** Runs the worker's `scheduled()` handler; resolves with its outcome. */
  scheduled(cron: string): Promise<string>;
  stop(): Promise<void>;
}

/** Bundles the worker into `dir/worker.js`, composed exactly as `scripts/build.ts` builds `dist/worker.js`. */
export async function bundleWorker(dir: string): Promise<string> {
  const outfile = `${dir}/worker.js`;
  const options = workerBuildOptions();
  const root = fileURLToPath(new URL("../..", import.meta.url));
  try {
    await esbuild.build({
      ...options,
      outfile,
      plugins: [...(options.plugins ?? []), importMapPlugin(root)],
    });
  } finally {
    await esbuild.stop();
  }
  return outfile;
}

/** Starts the worker with `bindings` (and D1 databases named `d1Databases`), then copies `repository` (without its keys) into R2. */
export async function startWorkerEdge(
  dir: string,
  options: { repository: FsStorage; bindings: Record<string, string>; d1Databases?: string[] },
): Promise<WorkerEdge> {
  const { repository, bindings, d1Databases = [] } = options;
  const script = await bundleWorker(dir);
  const mf = new Miniflare({
    modules: true,
    scriptPath: script,
    modulesRoot: dir,
    compatibilityDate: "2026-07-01",
    compatibilityFlags: ["nodejs_compat"],
    r2Buckets: ["BUCKET"],
    kvNamespaces: ["METADATA"],
    r2Persist: `${dir}/r2`,
    kvPersist: `${dir}/kv`,
    d1Databases,
    d1Persist: `${dir}/d1`,
    bindings,
    host: "127.0.0.1",
    port: 0,
  });
  try {
    const url = String(await mf.ready).replace(/\/$/, "");
    const bucket = await mf.getR2Bucket("BUCKET") as unknown as {
      put(k: string, v: Uint8Array): Promise<unknown>;
    };
    for (const path of await repository.list("")) {
      if (path.startsWith("keys/")) continue;
      await bucket.put(path, (await repository.get(path))!);
    }
    const scheduled = async (cron: string) => {
      const worker = await mf.getWorker() as unknown as {
        scheduled(o: { cron: string }): Promise<{ outcome: string }>;
      };
      return (await worker.scheduled({ cron })).outcome;
    };
    return { url, scheduled, stop: () => mf.dispose() };
  } catch (error) {
    await mf.dispose();
    throw error;
  }
}
