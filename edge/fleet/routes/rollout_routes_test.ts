import assert from "node:assert/strict";
import { createRollout, rolloutBucket } from "../../../core/rollout/mod.ts";
import { createApp } from "../../app.ts";
import { createDevRepository } from "../../dev_repository.ts";
import { FsStorage } from "../../storage/fs_storage.ts";
import { SqliteFleetStore } from "../sqlite_fleet_store.ts";
import { fixtureKeys } from "../../../test/edge/fixture.ts";
import { ENROLL_TOKEN, OPERATOR_TOKEN } from "../../../test/edge/fleet_suite.ts";
import {
  installed,
  inventoryOf,
  operator,
  reportEvent,
  TestDevice,
} from "../../../test/edge/fleet_suite_device.ts";

const A = "acme/radio";
const C1 = "1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const C2 = "2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const T0 = new Date("2026-03-01T12:00:00.000Z");
const ID = `acme:radio:main:2:${C2}`;

async function edge() {
  const dir = await Deno.makeTempDir({ prefix: "rollout-routes-" });
  const storage = new FsStorage(`${dir}/repo`);
  const rollout = createRollout({
    id: ID,
    publishedAt: T0,
    steps: "20,100@1h",
    halt: { minDevices: 3, maxFailurePercent: 50 },
  });
  await createDevRepository(storage, {
    keys: await fixtureKeys(),
    now: T0,
    content: {
      deviceTypes: [{ slug: "raspberrypi4-64", aliases: [] }],
      apps: [
        { name: A, ref: "main", commit: C1, files: { a: "1" } },
        { name: A, ref: "main", commit: C2, files: { a: "2" }, rollout },
      ],
      images: [],
    },
  });
  const store = await SqliteFleetStore.open(`${dir}/fleet.sqlite`);
  const clock = { now: T0.getTime() + 60_000 };
  const logged: string[] = [];
  const app = createApp({
    storage,
    fleet: store,
    config: {
      operatorToken: OPERATOR_TOKEN,
      enrollToken: ENROLL_TOKEN,
      clock: () => clock.now,
      log: (line) => logged.push(line),
    },
  });
  const fetch = async (path: string, init?: RequestInit) => await app.request(path, init);
  return {
    app,
    store,
    fetch,
    clock,
    logged,
    async [Symbol.asyncDispose]() {
      await store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function holdsOf(device: TestDevice) {
  const res = await device.checkin(inventoryOf([installed(A, C1)]));
  assert.equal(res.status, 200);
  return (await res.json()).rollouts;
}

Deno.test("rollouts: listed from metadata, halted by reports, held in check-ins, paused, resumed, ended", async () => {
  await using e = await edge();
  const op = operator(e.fetch);
  const devices = await Promise.all(Array.from({ length: 6 }, () => TestDevice.create(e.fetch)));
  for (const d of devices) {
    assert.equal((await d.enroll({ token: ENROLL_TOKEN })).status, 201);
    assert.deepEqual(await holdsOf(d), {}, "running: nothing held");
  }
  const list = await op.json("/v1/fleet/rollouts");
  assert.equal(list.items?.length, 1);
  const first = list.items![0]!;
  const reach = devices.filter((d) => rolloutBucket(ID, d.id) < 20).length;
  assert.deepEqual(
    [first.id, first.app, first.ref, first.commit, first.state, first.cap, first.percentNow],
    [ID, A, "main", C2, "running", null, 20],
  );
  assert.deepEqual([first.devicesOnApp, first.devicesInReach], [6, reach]);
  assert.deepEqual(first.halt, { minDevices: 3, maxFailurePercent: 50 });

  // three devices fail the health check and roll back: the third report halts the rollout
  for (const [i, d] of devices.slice(0, 3).entries()) {
    const res = await d.report([
      reportEvent(A, C2, { stage: "download" }),
      reportEvent(A, C2, { stage: "health", result: "error", errorCode: "E_HEALTH" }),
      reportEvent(A, C2, { stage: "rollback", result: "rolled_back" }),
    ]);
    assert.equal(res.status, 200);
    const got = await op.json(`/v1/fleet/rollouts/${ID}`);
    assert.equal(got.state, i < 2 ? "running" : "halted");
  }
  const halted = await op.json(`/v1/fleet/rollouts/${ID}`);
  assert.equal(halted.cap, 0);
  assert.equal(halted.effectivePercent, 0);
  assert.equal(halted.devicesInReach, 0);
  assert.deepEqual(halted.counts, { succeeded: 0, failed: 0, rolledBack: 3, timedOut: 0, inProgress: 0 });
  assert.match(
    String(halted.reason),
    /^halt: 3 of 3 finished devices failed, rolled back or went silent \(100%\), more than the 50% allowed; top errors: E_HEALTH 3$/,
  );
  assert.deepEqual(await holdsOf(devices[5]!), { [ID]: { cap: 0, state: "halted" } });
  assert.ok(e.logged.some((l) => l.startsWith(`rollout ${ID} halted: halt: 3 of 3`)));

  let res = await op.post(`/v1/fleet/rollouts/${ID}/pause`);
  assert.equal(res.status, 409);
  assert.equal((await res.json()).error.code, "E_CONFLICT");

  // resumed: no cap, the halt rule counts afresh; three devices start and go silent
  e.clock.now += 1000;
  res = await op.post(`/v1/fleet/rollouts/${ID}/resume`);
  const resumed = await res.json();
  assert.deepEqual([res.status, resumed.state, resumed.cap], [200, "running", null]);
  assert.equal(resumed.watched.rolledBack, 0);
  assert.deepEqual(await holdsOf(devices[5]!), {});
  for (const d of devices.slice(3, 6)) await d.report([reportEvent(A, C2, { stage: "download" })]);
  assert.equal(await e.app.checkRollouts(), 0, "not yet timed out");
  e.clock.now += 61 * 60_000;
  assert.equal(await e.app.checkRollouts(), 1, "the periodic job halts it");
  const silent = await op.json(`/v1/fleet/rollouts/${ID}`);
  assert.deepEqual([silent.state, silent.percentNow], ["halted", 100]);
  assert.deepEqual(silent.watched, { succeeded: 0, failed: 0, rolledBack: 0, timedOut: 3, inProgress: 0 });

  // paused, then ended: the edge no longer holds it
  await op.post(`/v1/fleet/rollouts/${ID}/resume`);
  res = await op.post(`/v1/fleet/rollouts/${ID}/pause`);
  assert.deepEqual([(await res.json()).state, res.status], ["paused", 200]);
  assert.deepEqual(await holdsOf(devices[0]!), { [ID]: { cap: 0, state: "paused" } });
  res = await op.post(`/v1/fleet/rollouts/${ID}/end`);
  const ended = await res.json();
  assert.deepEqual([ended.state, ended.cap, ended.devicesInReach], ["ended", null, 6]);
  assert.deepEqual(await holdsOf(devices[0]!), {});
  assert.equal(await e.app.checkRollouts(), 0, "an ended rollout is not judged");
  res = await op.post(`/v1/fleet/rollouts/${ID}/end`);
  assert.equal((await res.json()).state, "ended", "idempotent");
  assert.deepEqual((await op.json("/v1/fleet/rollouts?state=ended&app=acme%2Fradio")).items?.length, 1);
  assert.deepEqual((await op.json("/v1/fleet/rollouts?state=running")).items, []);
});

Deno.test("rollout routes: operator token, unknown ids and bad queries", async () => {
  await using e = await edge();
  const op = operator(e.fetch);
  assert.equal((await e.fetch("/v1/fleet/rollouts")).status, 401);
  assert.equal((await operator(e.fetch, "wrong-token-000").get("/v1/fleet/rollouts")).status, 403);
  for (
    const [path, status] of [
      ["/v1/fleet/rollouts/acme:radio:main:9:0000000", 404],
      ["/v1/fleet/rollouts?state=gone", 400],
      ["/v1/fleet/rollouts?limit=0", 400],
      ["/v1/fleet/rollouts?colour=red", 400],
      ["/v1/fleet/rollouts?limit=501", 400],
      ["/v1/fleet/rollouts?cursor=not%20an%20id", 400],
      ["/v1/fleet/rollouts?cursor=acme:radio:main:9:0000000", 400],
      ["/v1/fleet/rollouts?app=acme%2Fradio&app=acme%2Fother", 400],
    ] as const
  ) {
    const res = await op.get(path);
    assert.equal(res.status, status, path);
    assert.match((await res.json()).error.message, /^Cannot /);
  }
  const res = await op.post("/v1/fleet/rollouts/acme:radio:main:9:0000000/pause");
  assert.equal(res.status, 404);
  await res.body?.cancel();
});

Deno.test("GET /v1/fleet/rollouts pages: 50 by default, `next` names the cursor while more follow", async () => {
  await using e = await edge();
  const op = operator(e.fetch);
  // 52 more releases of the app with a rollout (on other refs), published after the repository's one
  const commit = (n: number) => n.toString(16).padStart(7, "0");
  const releases = Array.from({ length: 52 }, (_, i) => ({
    app: A,
    ref: `r${i}`, // one ref each: none supersedes another
    commit: commit(i + 3),
    serial: i + 3,
    rollout: createRollout({ id: `acme:radio:r${i}:${i + 3}:${commit(i + 3)}`, publishedAt: T0, steps: "5" }),
  }));
  assert.equal(
    (await op.json("/v1/fleet/rollouts")).items?.length,
    1,
    "the repository's rollout synced first",
  );
  await e.store.syncRollouts(releases, { now: new Date(e.clock.now + 1000) });
  const first = await op.json("/v1/fleet/rollouts");
  assert.equal(first.items?.length, 50);
  assert.equal(first.next, first.items![49]!.id);
  const next = String(first.next);
  const rest = await op.json(`/v1/fleet/rollouts?cursor=${encodeURIComponent(next)}`);
  assert.equal(rest.next, null);
  const ids = [...first.items!, ...rest.items!].map((r) => r.id);
  assert.deepEqual(
    ids,
    [...releases.map((r) => r.rollout.id).reverse(), ID],
    "every rollout once, newest first",
  );
  const page = await op.json("/v1/fleet/rollouts?limit=53");
  assert.deepEqual([page.items?.length, page.next], [53, null], "a full last page: no next");
  const running = await op.json(`/v1/fleet/rollouts?state=running&limit=2&cursor=${releases[1]!.rollout.id}`);
  assert.deepEqual(running.items?.map((r) => r.id), [releases[0]!.rollout.id, ID]);
  assert.equal(running.next, null);
});

Deno.test("the periodic job judges every running rollout, past the first 500 (newest first)", async () => {
  await using e = await edge();
  const devices = await Promise.all(Array.from({ length: 3 }, () => TestDevice.create(e.fetch)));
  for (const d of devices) {
    assert.equal((await d.enroll({ token: ENROLL_TOKEN })).status, 201);
    await d.report([reportEvent(A, C2, { stage: "download" })]); // started, then silent
  }
  // 500 newer running rollouts (on other refs): the repository's one is the 501st in the list's order
  const commit = (n: number) => n.toString(16).padStart(7, "0");
  const releases = Array.from({ length: 500 }, (_, i) => ({
    app: A,
    ref: `r${i}`, // one ref each: none supersedes another
    commit: commit(i + 3),
    serial: i + 3,
    rollout: createRollout({ id: `acme:radio:r${i}:${i + 3}:${commit(i + 3)}`, publishedAt: T0, steps: "5" }),
  }));
  await e.store.syncRollouts(releases, { now: new Date(e.clock.now + 1000) });
  e.clock.now += 61 * 60_000;
  assert.equal(await e.app.checkRollouts(), 1);
  const silent = await operator(e.fetch).json(`/v1/fleet/rollouts/${ID}`);
  assert.equal(silent.state, "halted");
  assert.deepEqual(silent.watched, { succeeded: 0, failed: 0, rolledBack: 0, timedOut: 3, inProgress: 0 });
});
