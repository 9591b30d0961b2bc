/**
 * The fleet's "done when", on the Deno edge: 50 devices (8 of them real `drover` processes under
 * Node, the rest `drover`'s main in this process), each with its own target and workspace, enroll
 * with the real edge (`deno task start` on a fresh DROVER_DATA written by `drover-repo`), install
 * release 1, then release 2 with `--health-cmd ./bin/check`, which fails on the 10 devices with a
 * rev A board. The operator API (`/v1/fleet/devices?commit=…`, `/v1/fleet/devices/<id>`,
 * `/v1/fleet/summary`) and the operator CLI (`dist/drover-fleet.mjs devices|device|summary --json`)
 * must show exactly those 10 rolled back (still on release 1) and the other 40 on release 2.
 */
import assert from "node:assert/strict";
import { startDenoEdge } from "../edge/deno_child.ts";
import { tempDir } from "../harness.ts";
import {
  assertOperatorApi,
  assertOperatorCli,
  COMMIT_2,
  ENROLL_TOKEN,
  ensureBundles,
  fleetCli,
  makeFleet,
  makeRepository,
  OPERATOR_TOKEN,
  runScenario,
  Timer,
  waitForRelease,
} from "./_fleet_rollback.ts";

Deno.test("50 devices against `deno task start`: a failing health check on 10 shows as exactly 10 rolled back", async () => {
  const timer = new Timer();
  await ensureBundles();
  await using dir = await tempDir("drover-fleet-rollback-");
  const repository = await makeRepository(dir.path);
  const fleet = makeFleet(dir.join("devices"), 50, { processEvery: 7 });
  assert.equal(fleet.filter((d) => d.options.process).length, 8);
  assert.equal(fleet.filter((d) => d.options.unhealthy).length, 10);
  assert.ok(fleet.some((d) => d.options.process && d.options.unhealthy), "a real process rolls back too");
  const edge = await startDenoEdge(repository.dir, {
    DROVER_OPERATOR_TOKEN: OPERATOR_TOKEN,
    DROVER_ENROLL_TOKEN: ENROLL_TOKEN,
  });
  timer.lap("set-up");
  try {
    await runScenario(edge.url, fleet, {
      trustedRoot: repository.trustedRoot,
      concurrency: 3,
      timer,
      accept: async (id) => {
        const r = await fleetCli(edge.url, ["accept", id, "--json"]);
        assert.equal(JSON.parse(r.stdout).state, "accepted");
      },
      publish: async () => {
        // a pipeline writes release 2 into the directory the edge serves (DROVER_DATA)
        await repository.addRelease2();
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
  console.log(`fleet rollback, Deno edge: ${timer.total()}`);
});
