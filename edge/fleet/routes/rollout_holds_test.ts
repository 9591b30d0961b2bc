/**
 * The check-in answer holds back devices with nothing installed (their inventory's `tracked`), and
 * the operator's rollout actions on a busy database are 503 `E_TRANSIENT` with Retry-After.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { createRollout } from "../../../core/rollout/mod.ts";
import { createApp } from "../../app.ts";
import { createDevRepository } from "../../dev_repository.ts";
import { FsStorage } from "../../storage/fs_storage.ts";
import { SqliteFleetStore } from "../sqlite_fleet_store.ts";
import { fixtureKeys } from "../../../test/edge/fixture.ts";
import { ENROLL_TOKEN, OPERATOR_TOKEN } from "../../../test/edge/fleet_suite.ts";
import { installed, inventoryOf, operator, TestDevice } from "../../../test/edge/fleet_suite_device.ts";

const A = "acme/radio";
const C1 = "1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const C2 = "2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const T0 = new Date("2026-03-01T12:00:00.000Z");
const ID = `acme:radio:main:2:${C2}`;
const DEV = `acme:radio:develop:3:${C1}`;

async function edge() {
  const dir = await Deno.makeTempDir({ prefix: "rollout-holds-" });
  const storage = new FsStorage(`${dir}/repo`);
  const rollout = (id: string) => createRollout({ id, publishedAt: T0, steps: "50,100@1h" });
  await createDevRepository(storage, {
    keys: await fixtureKeys(),
    now: T0,
    content: {
      deviceTypes: [{ slug: "raspberrypi4-64", aliases: [] }],
      apps: [
        { name: A, ref: "main", commit: C1, files: { a: "1" } },
        { name: A, ref: "main", commit: C2, files: { a: "2" }, rollout: rollout(ID) },
        { name: A, ref: "develop", commit: C1, files: { a: "3" }, rollout: rollout(DEV) },
      ],
      images: [],
    },
  });
  const path = `${dir}/fleet.sqlite`;
  const store = await SqliteFleetStore.open(path, { busyTimeoutMs: 100 });
  const app = createApp({
    storage,
    fleet: store,
    config: {
      operatorToken: OPERATOR_TOKEN,
      enrollToken: ENROLL_TOKEN,
      clock: () => T0.getTime() + 60_000,
      log: () => {},
    },
  });
  const fetch = async (url: string, init?: RequestInit) => await app.request(url, init);
  return {
    path,
    fetch,
    async [Symbol.asyncDispose]() {
      await store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function holds(device: TestDevice, inventory: Record<string, unknown>) {
  const res = await device.send("POST", `/v1/devices/${device.id}/checkin`, {
    body: JSON.stringify(inventory),
  });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  return JSON.parse(text).rollouts;
}

Deno.test("check-in: a paused or halted rollout holds back the devices that track its app with nothing installed", async () => {
  await using e = await edge();
  const op = operator(e.fetch);
  const [runs, fresh, old] = await Promise.all([0, 1, 2].map(() => TestDevice.create(e.fetch)));
  for (const d of [runs!, fresh!, old!]) assert.equal((await d.enroll({ token: ENROLL_TOKEN })).status, 201);
  let res = await op.post(`/v1/fleet/rollouts/${ID}/pause`);
  assert.equal(res.status, 200, await res.text());
  res = await op.post(`/v1/fleet/rollouts/${DEV}/pause`);
  assert.equal(res.status, 200, await res.text());
  const paused = { cap: 0, state: "paused" };

  // installed (as before); nothing installed (the app registered: `tracked`); a second ref of a name
  assert.deepEqual(await holds(runs!, { ...inventoryOf([installed(A, C1)]) }), { [ID]: paused });
  assert.deepEqual(await holds(fresh!, { ...inventoryOf([]), tracked: [{ name: A, ref: "main" }] }), {
    [ID]: paused,
  });
  assert.deepEqual(
    await holds(runs!, { ...inventoryOf([installed(A, C1)]), tracked: [{ name: A, ref: "develop" }] }),
    { [ID]: paused, [DEV]: paused },
  );
  // an older device's inventory (no `tracked`) is accepted as ever; with nothing installed it names no app
  assert.deepEqual(await holds(old!, { ...inventoryOf([]) }), {});
  const device = await op.json(`/v1/fleet/devices/${fresh!.id}`);
  assert.deepEqual(device.apps, [], "nothing installed: no app stored");
  // a bad `tracked` is refused like any bad inventory
  res = await fresh!.checkin({ ...inventoryOf([]), tracked: [{ name: "../x", ref: "main" }] } as never);
  assert.equal(res.status, 400);
  assert.match((await res.json()).error.message, /^Cannot read inventory: \$\.tracked\[0\]\.name/);

  await op.post(`/v1/fleet/rollouts/${ID}/end`);
  assert.deepEqual(await holds(fresh!, { ...inventoryOf([]), tracked: [{ name: A, ref: "main" }] }), {});
});

/** Runs `fn` while another connection holds the database's write lock. */
async function whileBusy(path: string, fn: () => Promise<void>): Promise<void> {
  const holder = new DatabaseSync(path);
  try {
    holder.exec("BEGIN EXCLUSIVE");
    await fn();
    holder.exec("ROLLBACK");
  } finally {
    holder.close();
  }
}

Deno.test("rollout pause/resume/end on a busy fleet database: 503 E_TRANSIENT with Retry-After, then done", async () => {
  await using e = await edge();
  const op = operator(e.fetch);
  assert.equal((await op.json(`/v1/fleet/rollouts/${ID}`)).state, "running"); // registered
  const busy = async (action: string) => {
    const res = await op.post(`/v1/fleet/rollouts/${ID}/${action}`);
    const body = await res.json();
    assert.deepEqual(
      [res.status, body.error?.code],
      [503, "E_TRANSIENT"],
      `${action}: ${JSON.stringify(body)}`,
    );
    assert.equal(res.headers.get("retry-after"), "1");
    assert.match(body.error.message, /^Cannot write fleet database: busy/);
  };
  await whileBusy(e.path, async () => {
    await busy("pause");
    await busy("end");
  });
  let res = await op.post(`/v1/fleet/rollouts/${ID}/pause`);
  assert.deepEqual([res.status, (await res.json()).state], [200, "paused"], "done once the database is free");
  await whileBusy(e.path, () => busy("resume"));
  res = await op.post(`/v1/fleet/rollouts/${ID}/resume`);
  assert.deepEqual([res.status, (await res.json()).state], [200, "running"]);
});
