/**
 * The fleet's "done when" on Cloudflare Workers: the Worker bundle (composed as `dist/worker.js`)
 * in workerd through miniflare, with the repository in R2 and the fleet in D1 (binding `FLEET`).
 * 50 devices (`drover`'s main in this process) enroll, install release 1, then release 2 (published
 * through the edge: `PUT /v1/targets/<sha256>`, `POST /v1/metadata`) with `--health-cmd`, which
 * fails on the 10 devices with a rev A board. The operator API and the operator CLI must show
 * exactly those 10 rolled back (still on release 1) and the other 40 on release 2.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "../harness.ts";
import {
  assertOperatorApi,
  assertOperatorCli,
  COMMIT_2,
  ensureBundles,
  makeFleet,
  makeRepository,
  operatorApi,
  runScenario,
  startFleetWorker,
  Timer,
  waitForRelease,
} from "./_fleet_rollback.ts";

const PUBLISH_TOKEN = "publish-token-fleet-rollback";

Deno.test("50 devices against the Worker in workerd with D1: a failing health check on 10 shows as exactly 10 rolled back", async () => {
  const timer = new Timer();
  await ensureBundles();
  await using dir = await tempDir("drover-fleet-rollback-worker-");
  const repository = await makeRepository(dir.path);
  const fleet = makeFleet(dir.join("devices"), 50);
  assert.equal(fleet.filter((d) => d.options.unhealthy).length, 10);
  const edge = await startFleetWorker(dir.path, { repository, publishToken: PUBLISH_TOKEN });
  timer.lap("set-up (bundle, workerd, R2)");
  try {
    await runScenario(edge.url, fleet, {
      trustedRoot: repository.trustedRoot,
      concurrency: 3,
      timer,
      accept: async (id) => {
        assert.equal((await operatorApi(edge.url).post(`/v1/fleet/devices/${id}/accept`)).state, "accepted");
      },
      publish: async () => {
        // a pipeline signs targets metadata with its offline key and publishes it through the edge
        const added = await repository.addRelease2();
        const auth = { authorization: `Bearer ${PUBLISH_TOKEN}` };
        const bytes = await Deno.readFile(repository.archive2);
        const put = await fetch(`${edge.url}/v1/targets/${added.target.hashes.sha256}`, {
          method: "PUT",
          headers: auth,
          body: bytes,
        });
        assert.equal(put.status, 201, await put.text());
        const metadata = await Deno.readFile(
          join(repository.dir, `tuf/${added.versions.targets}.targets.json`),
        );
        const post = await fetch(`${edge.url}/v1/metadata`, {
          method: "POST",
          headers: auth,
          body: metadata,
        });
        assert.ok(post.ok, `POST /v1/metadata: ${post.status} ${await post.text()}`);
        await waitForRelease(edge.url, COMMIT_2);
      },
    });
    await assertOperatorApi(edge.url, fleet);
    timer.lap("operator API checked");
    await assertOperatorCli(edge.url, fleet);
    timer.lap("operator CLI checked");
  } finally {
    await edge.stop();
  }
  console.log(`fleet rollback, workerd + D1: ${timer.total()}`);
});
