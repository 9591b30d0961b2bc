import assert from "node:assert/strict";
import { FsStorage } from "../../edge/storage/fs_storage.ts";
import { startWorkerEdge } from "../edge/worker_harness.ts";
import { fixtureKeys, MAX_UPLOAD, TOKEN, writeFixture } from "../edge/fixture.ts";
import { runSuite } from "../edge/suite.ts";

Deno.test("edge suite against the Worker bundle in workerd (miniflare, R2 + KV)", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "edge-worker-" });
  try {
    const keys = await fixtureKeys();
    const repository = new FsStorage(`${dir}/repo`);
    // Signed 20 hours ago: the timestamp (1 day) is within the renewal margin, so the worker renews it.
    await writeFixture(repository, keys, { now: new Date(Date.now() - 20 * 3600_000) });
    const edge = await startWorkerEdge(dir, {
      repository,
      bindings: {
        DROVER_TOKEN: TOKEN,
        DROVER_MAX_UPLOAD_BYTES: String(MAX_UPLOAD),
        DROVER_SNAPSHOT_KEY: JSON.stringify(keys.snapshot),
        DROVER_TIMESTAMP_KEY: JSON.stringify(keys.timestamp),
      },
    });
    try {
      const health = await (await fetch(`${edge.url}/healthz`)).json();
      assert.equal(health.versions.timestamp, 3, "renewed on first request (was 2)");
      assert.ok(new Date(health.timestampExpires).getTime() > Date.now() + 20 * 3600_000);
      await runSuite(t, {
        keys,
        needsLength: true,
        fetch: (path, init) => fetch(edge.url + path, { redirect: "manual", ...init }),
      });
      assert.equal(await edge.scheduled("*/30 * * * *"), "ok");
    } finally {
      await edge.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
