/**
 * Deltas through `deno task start` (file-system storage): releases published with `repo add-app` and
 * `repo push` carry their chunked form, the edge serves the pack by Range, and a device updates by
 * delta, fetching under 10% of the artifact (`_edge_delta.ts`).
 */
import { startDenoEdge } from "../edge/deno_child.ts";
import { edgeDeltaFixture, runEdgeDeltaScenario, TOKEN } from "./_edge_delta.ts";

Deno.test("deno edge: a release pushed with its chunked form reaches a device by delta, under 10% fetched", async () => {
  const f = await edgeDeltaFixture();
  await using _fx = f.fx;
  const edge = await startDenoEdge(f.data, { DROVER_TOKEN: TOKEN });
  try {
    await runEdgeDeltaScenario(f, edge);
  } finally {
    await edge.stop();
  }
});
