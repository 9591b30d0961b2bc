import assert from "node:assert/strict";
import { createRollout } from "../../../core/rollout/mod.ts";
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
const C = (n: number) => `${n}`.repeat(7) + "a".repeat(33);
const T0 = new Date("2026-03-01T12:00:00.000Z");
const ID2 = `acme:radio:main:2:${C(2)}`, ID3 = `acme:radio:main:3:${C(3)}`;

const staged = (id: string) =>
  createRollout({ id, publishedAt: T0, steps: "20,100@1h", halt: { minDevices: 3, maxFailurePercent: 50 } });

Deno.test("rollouts whose release a newer one of its app and ref supersedes: running ones done, holds kept", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rollout-supersede-" });
  const storage = new FsStorage(`${dir}/repo`);
  // serials 1 to 4 of acme/radio main; 2 and 3 staged, 4 (the newest) goes to every device
  await createDevRepository(storage, {
    keys: await fixtureKeys(),
    now: T0,
    content: {
      deviceTypes: [{ slug: "raspberrypi4-64", aliases: [] }],
      apps: [
        { name: A, ref: "main", commit: C(1), files: { a: "1" } },
        { name: A, ref: "main", commit: C(2), files: { a: "2" }, rollout: staged(ID2) },
        { name: A, ref: "main", commit: C(3), files: { a: "3" }, rollout: staged(ID3) },
        { name: A, ref: "main", commit: C(4), files: { a: "4" } },
      ],
      images: [],
    },
  });
  const store = await SqliteFleetStore.open(`${dir}/fleet.sqlite`);
  try {
    // serial 3 was halted while it was the newest (registered from an older metadata version)
    await store.syncRollouts([{ app: A, ref: "main", commit: C(3), serial: 3, rollout: staged(ID3) }], {
      now: T0,
    });
    await store.updateRollout(ID3, { state: "halted", cap: 0, reason: "halt: test" }, { from: ["running"] });
    const clock = { now: T0.getTime() + 60_000 };
    const app = createApp({
      storage,
      fleet: store,
      config: {
        operatorToken: OPERATOR_TOKEN,
        enrollToken: ENROLL_TOKEN,
        clock: () => clock.now,
        log: () => {},
      },
    });
    const fetch = async (path: string, init?: RequestInit) => await app.request(path, init);
    const op = operator(fetch);
    const devices = await Promise.all(Array.from({ length: 3 }, () => TestDevice.create(fetch)));
    for (const d of devices) assert.equal((await d.enroll({ token: ENROLL_TOKEN })).status, 201);
    const holds = async () =>
      (await (await devices[0]!.checkin(inventoryOf([installed(A, C(1))]))).json()).rollouts;

    assert.deepEqual((await op.json("/v1/fleet/rollouts?state=running")).items, [], "none in progress");
    const done = await op.json(`/v1/fleet/rollouts/${ID2}`);
    assert.deepEqual([done.state, done.cap, done.effectivePercent], ["done", null, 20]);
    assert.equal(
      done.reason,
      "superseded by serial 4, a newer release of acme/radio main: no longer watched",
    );
    assert.equal((await op.json(`/v1/fleet/rollouts/${ID3}`)).state, "halted");
    assert.deepEqual(await holds(), { [ID3]: { cap: 0, state: "halted" } }, "a halted one keeps its hold");

    // failures on the superseded release no longer halt it
    for (const d of devices) {
      const res = await d.report([
        reportEvent(A, C(2), { stage: "health", result: "error", errorCode: "E_HEALTH" }),
      ]);
      assert.equal(res.status, 200);
    }
    assert.equal(await app.checkRollouts(), 0);
    const after = await op.json(`/v1/fleet/rollouts/${ID2}`);
    assert.deepEqual([after.state, (after.counts as { failed: number }).failed], ["done", 3]);

    // the halted one, resumed, is done at once: its hold is gone, not stuck; done is final
    clock.now += 1000;
    let res = await op.post(`/v1/fleet/rollouts/${ID3}/resume`);
    const resumed = await res.json();
    assert.deepEqual([res.status, resumed.state, resumed.cap], [200, "done", null]);
    assert.deepEqual(await holds(), {});
    res = await op.post(`/v1/fleet/rollouts/${ID3}/end`);
    assert.deepEqual([res.status, (await res.json()).error.code], [409, "E_CONFLICT"]);
    assert.deepEqual(
      (await op.json("/v1/fleet/rollouts?state=done")).items?.map((r) => r.id),
      [
        ID2,
        ID3,
      ],
    );
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
