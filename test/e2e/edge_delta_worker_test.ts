/**
 * Deltas through the Worker in workerd (miniflare, R2): releases published with `repo add-app` and
 * `repo push` carry their chunked form, the edge serves the pack by Range from R2, and a device
 * updates by delta, fetching under 10% of the artifact (`_edge_delta.ts`).
 */
import { join } from "node:path";
import { FsStorage } from "../../edge/storage/fs_storage.ts";
import { startWorkerEdge } from "../edge/worker_harness.ts";
import { edgeDeltaFixture, runEdgeDeltaScenario, TOKEN } from "./_edge_delta.ts";

Deno.test("worker edge (R2): a release pushed with its chunked form reaches a device by delta, under 10% fetched", async () => {
  const f = await edgeDeltaFixture();
  await using _fx = f.fx;
  const edge = await startWorkerEdge(join(f.fx.dir, "worker"), {
    repository: new FsStorage(f.data),
    bindings: {
      DROVER_TOKEN: TOKEN,
      DROVER_SNAPSHOT_KEY: await f.keyJson("snapshot"),
      DROVER_TIMESTAMP_KEY: await f.keyJson("timestamp"),
    },
  });
  try {
    await runEdgeDeltaScenario(f, edge);
  } finally {
    await edge.stop();
  }
});
