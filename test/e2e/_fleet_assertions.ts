/**
 * What the operator must see after release 2 of the fleet rollback scenario (`_fleet_rollback.ts`):
 * exactly the rev A boards rolled back to release 1, every other device on release 2, through the
 * operator API and the operator CLI alike.
 * @module
 */
import assert from "node:assert/strict";
import { APP, COMMIT_1, COMMIT_2 } from "./_fleet_constants.ts";
import type { FleetDevice } from "./_fleet_device.ts";
import { type Device, fleetCli, operatorApi } from "./_fleet_operator.ts";

const ids = (list: { id: string }[]) => list.map((d) => d.id).sort();

/** What the fleet must show for one device after release 2. */
export function assertDevice(device: Device, fd: FleetDevice): void {
  const rolledBack = fd.options.unhealthy;
  assert.equal(device.state, "accepted", fd.label);
  assert.equal(device.deviceType, "raspberrypi4-64", fd.label);
  assert.deepEqual(
    device.apps.map((a) => [a.name, a.ref, a.commit]),
    [[APP.name, APP.ref, rolledBack ? COMMIT_1 : COMMIT_2]],
    `${fd.label}: what it runs`,
  );
  assert.deepEqual(
    device.lastInstall && { ...device.lastInstall, at: undefined },
    rolledBack
      ? {
        app: APP.name,
        commit: COMMIT_2,
        result: "rolled_back",
        stage: "rollback",
        errorCode: null,
        at: undefined,
      }
      : { app: APP.name, commit: COMMIT_2, result: "ok", stage: "install", errorCode: null, at: undefined },
    `${fd.label}: its last install`,
  );
}

/**
 * The operator API's view after release 2: the lists by commit (and by the board label) hold
 * exactly the rolled-back subset and the rest, each device's detail says what happened, and the
 * summary counts it.
 */
export async function assertOperatorApi(api: string, fleet: FleetDevice[]): Promise<void> {
  const op = operatorApi(api);
  const bad = fleet.filter((d) => d.options.unhealthy), good = fleet.filter((d) => !d.options.unhealthy);
  const all = await op.list();
  assert.deepEqual(ids(all), ids(fleet));
  const onNew = await op.list({ commit: COMMIT_2 });
  const onOld = await op.list({ app: APP.name, commit: COMMIT_1 });
  assert.deepEqual(ids(onNew), ids(good), "on release 2: every healthy device, no other");
  assert.deepEqual(ids(onOld), ids(bad), "on release 1: exactly the rev A boards");
  assert.deepEqual(ids(await op.list({ label: "board=rev-a" })), ids(bad));
  const byId = new Map(fleet.map((d) => [d.id, d]));
  for (const d of [...onNew, ...onOld]) assertDevice(d, byId.get(d.id)!);

  for (const fd of fleet) {
    const detail = await op.get(`/v1/fleet/devices/${fd.id}?reports=20`);
    assertDevice(detail, fd);
    assert.equal(detail.osVersion, "acme-os 3.1");
    assert.deepEqual(detail.labels, { board: fd.options.unhealthy ? "rev-a" : "rev-b" });
    const newest =
      (detail.reports as { commit: string; stage: string; result: string; errorCode: string | null }[])
        .filter((r) => r.commit === COMMIT_2).map((r) => `${r.stage} ${r.result} ${r.errorCode ?? "-"}`);
    assert.deepEqual(
      newest,
      fd.options.unhealthy
        ? ["rollback rolled_back -", "health error E_HEALTH", "verify ok -", "download ok -"]
        : ["install ok -", "health ok -", "verify ok -", "download ok -"],
      `${fd.label}: release 2's reports, newest first`,
    );
    const counters = (detail.releases as { commit: string; ok: number; error: number; rolledBack: number }[])
      .map((r) => [r.commit, r.ok, r.error, r.rolledBack]);
    assert.deepEqual(
      counters,
      [[COMMIT_1, 4, 0, 0], fd.options.unhealthy ? [COMMIT_2, 2, 1, 1] : [COMMIT_2, 4, 0, 0]],
      `${fd.label}: per-release counters`,
    );
  }

  const summary = await op.get("/v1/fleet/summary");
  assertSummary(summary, fleet);
}

/** The operator CLI's view after release 2 (`devices --all --commit … --json`, `device`, `summary`). */
export async function assertOperatorCli(api: string, fleet: FleetDevice[]): Promise<void> {
  const bad = fleet.filter((d) => d.options.unhealthy), good = fleet.filter((d) => !d.options.unhealthy);
  const byId = new Map(fleet.map((d) => [d.id, d]));
  const onNew = JSON.parse(
    (await fleetCli(api, ["devices", "--all", "--commit", COMMIT_2, "--json"])).stdout,
  );
  assert.deepEqual(ids(onNew), ids(good), "on release 2: every healthy device, no other");
  const onOld = JSON.parse(
    (await fleetCli(api, ["devices", "--all", "--app", APP.name, "--commit", COMMIT_1, "--json"])).stdout,
  );
  assert.deepEqual(ids(onOld), ids(bad), "on release 1: exactly the rev A boards");
  for (const d of [...onNew, ...onOld] as Device[]) assertDevice(d, byId.get(d.id)!);
  for (const fd of [bad[0]!, good[0]!]) {
    assertDevice(JSON.parse((await fleetCli(api, ["device", fd.id, "--json"])).stdout), fd);
  }
  assertSummary(JSON.parse((await fleetCli(api, ["summary", "--json"])).stdout), fleet);
  const text = (await fleetCli(api, ["summary"])).stdout;
  const n = fleet.length;
  assert.match(text, new RegExp(`^devices {7}${n} \\(accepted ${n}, pending 0, rejected 0\\)$`, "m"));
  assert.match(
    text,
    new RegExp(`^last install {2}ok ${good.length}, error 0, rolled back ${bad.length}, none 0$`, "m"),
  );
}

/** The summary document after release 2. */
export function assertSummary(
  summary: {
    devices: unknown;
    lastInstall: unknown;
    apps: unknown;
    seen: { recent: number; stale: number };
  },
  fleet: FleetDevice[],
): void {
  const bad = fleet.filter((d) => d.options.unhealthy).length, n = fleet.length;
  assert.deepEqual(summary.devices, { total: n, accepted: n, pending: 0, rejected: 0 });
  assert.deepEqual(summary.lastInstall, { ok: n - bad, error: 0, rolledBack: bad, none: 0 });
  assert.deepEqual([summary.seen.recent, summary.seen.stale], [n, 0]);
  assert.deepEqual(summary.apps, [{
    name: APP.name,
    ref: APP.ref,
    devices: n,
    commits: [{ commit: COMMIT_2, devices: n - bad }, { commit: COMMIT_1, devices: bad }],
  }]);
}
