import assert from "node:assert/strict";
import { FsStorage } from "../../edge/storage/fs_storage.ts";
import { startWorkerEdge } from "../edge/worker_harness.ts";
import { fixtureKeys, writeFixture } from "../edge/fixture.ts";
import { ENROLL_TOKEN, OPERATOR_TOKEN, runFleetSuite } from "../edge/fleet_suite.ts";
import { operator, reportEvent, TestDevice } from "../edge/fleet_suite_device.ts";

Deno.test("fleet suite against the Worker bundle in workerd with D1 (binding FLEET); scheduled() prunes", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "edge-fleet-worker-" });
  try {
    const keys = await fixtureKeys();
    const repository = new FsStorage(`${dir}/repo`);
    await writeFixture(repository, keys);
    const edge = await startWorkerEdge(dir, {
      repository,
      d1Databases: ["FLEET"],
      bindings: {
        DROVER_OPERATOR_TOKEN: OPERATOR_TOKEN,
        DROVER_ENROLL_TOKEN: ENROLL_TOKEN,
        DROVER_REPORT_RETENTION_DAYS: "0.00002", // 1.7 s: scheduled() prunes what the suite sent
        DROVER_SNAPSHOT_KEY: JSON.stringify(keys.snapshot),
        DROVER_TIMESTAMP_KEY: JSON.stringify(keys.timestamp),
      },
    });
    try {
      const fetchEdge = (path: string, init?: RequestInit) =>
        fetch(edge.url + path, { redirect: "manual", ...init });
      await runFleetSuite(t, { fetch: fetchEdge });
      const device = await TestDevice.create(fetchEdge);
      assert.equal((await device.enroll({ token: ENROLL_TOKEN })).status, 201);
      assert.equal(
        (await device.report([reportEvent("a/b", "1234567"), reportEvent("a/b", "1234567")])).status,
        200,
      );
      await new Promise((r) => setTimeout(r, 2000));
      assert.equal(await edge.scheduled("17 */6 * * *"), "ok");
      const detail = await operator(fetchEdge).json(`/v1/fleet/devices/${device.id}`);
      assert.deepEqual(detail.reports, [], "pruned by scheduled()");
      assert.equal((detail.releases as { events: number }[])[0]?.events, 2, "counters stay");
    } finally {
      await edge.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
