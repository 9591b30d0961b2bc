/**
 * The fleet's "done when" scenario, shared by `fleet_rollback_test.ts` (the Deno edge) and
 * `fleet_rollback_worker_test.ts` (workerd with D1): devices with their own target and workspace
 * add `acme/radio`, enroll, install release 1, then install release 2 with
 * `--health-cmd ./bin/check`. Release 2's check fails on a board marked by the file
 * `<target>/board-rev-a`, so exactly those devices roll back; the operator's view must say so.
 *
 * A device is `drover` either as a real process (`dist/drover.mjs` under Node) or as its library
 * in this process (`device/drover.ts` main), both through the same command lines.
 *
 * This file runs the scenario and re-exports its parts: the names (`_fleet_constants.ts`), the devices
 * (`_fleet_device.ts`), the repository (`_fleet_repository.ts`), the operator's API and CLI
 * (`_fleet_operator.ts`), what they must show (`_fleet_assertions.ts`), and pacing (`_fleet_pool.ts`).
 * @module
 */
import assert from "node:assert/strict";
import { COMMIT_1, COMMIT_2 } from "./_fleet_constants.ts";
import type { FleetDevice } from "./_fleet_device.ts";
import { operatorApi } from "./_fleet_operator.ts";
import { pool, type Timer } from "./_fleet_pool.ts";

export { APP, COMMIT_1, COMMIT_2, ENROLL_TOKEN, HEALTH, OPERATOR_TOKEN } from "./_fleet_constants.ts";
export { pool, Timer } from "./_fleet_pool.ts";
export { type Enrol, FleetDevice, makeFleet } from "./_fleet_device.ts";
export {
  ensureBundles,
  makeRepository,
  repo,
  startFleetWorker,
  waitForRelease,
} from "./_fleet_repository.ts";
export { type Device, fleetCli, operatorApi } from "./_fleet_operator.ts";
export { assertDevice, assertOperatorApi, assertOperatorCli, assertSummary } from "./_fleet_assertions.ts";

const ids = (list: { id: string }[]) => list.map((d) => d.id).sort();

/**
 * Sets every device up against `api` (pending ones are accepted by `accept`), installs release 1
 * everywhere, calls `publish` (release 2), installs it everywhere with the health check, and
 * checks each device's own view; `concurrency` devices at a time.
 */
export async function runScenario(
  api: string,
  fleet: FleetDevice[],
  options: {
    trustedRoot: string;
    concurrency: number;
    accept: (id: string) => Promise<void>;
    publish: () => Promise<void>;
    timer: Timer;
  },
): Promise<void> {
  const { trustedRoot, concurrency, timer } = options;
  const op = operatorApi(api);
  const minted = await op.post("/v1/fleet/enroll-tokens", {
    uses: fleet.filter((d) => d.options.enrol === "minted").length,
    ttlMs: 3_600_000,
  });
  await pool(fleet, concurrency, async (d) => {
    await d.setUp(api, minted.token);
    assert.equal(d.state, d.options.enrol === "none" ? "pending" : "accepted", d.label);
    await d.update(api, trustedRoot);
    assert.equal(await d.currentCommit(), COMMIT_1, d.label);
  });
  timer.lap(`${fleet.length} devices enrolled and on release 1`);
  const pending = await op.list({ state: "pending" });
  assert.deepEqual(ids(pending), ids(fleet.filter((d) => d.options.enrol === "none")));
  for (const d of pending) await options.accept(d.id);

  await options.publish();
  timer.lap("release 2 published");
  await pool(fleet, concurrency, async (d) => {
    const doc = await d.update(api, trustedRoot, d.options.unhealthy ? 1 : 0);
    const [app] = doc.install.apps;
    if (d.options.unhealthy) {
      assert.equal(app.action, "health-failed", d.label);
      assert.equal(app.error.code, "E_HEALTH", d.label);
      assert.equal(await d.currentCommit(), COMMIT_1, `${d.label}: switched back`);
    } else {
      assert.equal(app.action, "installed", d.label);
      assert.equal(await d.currentCommit(), COMMIT_2, d.label);
    }
  });
  for (const d of fleet.filter((d) => d.options.enrol === "none")) {
    const status = await d.drover(["status", "--target", d.target, "--workspace", d.workspace, "--json"]);
    const { fleet: f } = JSON.parse(status.stdout);
    assert.deepEqual(
      [f.deviceId, f.state, f.waiting],
      [d.id, "accepted", 0],
      `${d.label}: learnt it was accepted`,
    );
  }
  timer.lap("release 2 installed or rolled back");
}
