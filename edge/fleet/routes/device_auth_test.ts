import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { createApp } from "../../app.ts";
import { FsStorage } from "../../storage/fs_storage.ts";
import { SqliteFleetStore } from "../sqlite_fleet_store.ts";
import { expectError } from "../../../test/edge/suite_case.ts";
import {
  ENROLL_TOKEN,
  installed,
  inventoryOf,
  operator,
  OPERATOR_TOKEN,
  reportEvent,
  TestDevice,
} from "../../../test/edge/fleet_suite_device.ts";

/** Two apps on one SQLite file, as two edge processes would be: each with its own key cache. */
async function twoEdges() {
  const dir = await Deno.makeTempDir({ prefix: "fleet-auth-" });
  const path = `${dir}/fleet.sqlite`;
  const stores = [await SqliteFleetStore.open(path), await SqliteFleetStore.open(path)];
  const reads = { a: 0 };
  const getDeviceKey = stores[0]!.getDeviceKey.bind(stores[0]);
  stores[0]!.getDeviceKey = (id) => (reads.a++, getDeviceKey(id));
  const apps = stores.map((fleet) =>
    createApp({
      storage: new FsStorage(`${dir}/repo`),
      fleet,
      config: { operatorToken: OPERATOR_TOKEN, enrollToken: ENROLL_TOKEN, log: () => {} },
    })
  );
  const fetches = apps.map((app) => async (p: string, init?: RequestInit) => await app.request(p, init));
  return {
    /** How often edge a read a device's key from the store. */
    reads,
    a: fetches[0]!,
    b: fetches[1]!,
    sql(sql: string, params: (string | number)[] = []) {
      const db = new DatabaseSync(path);
      try {
        return db.prepare(sql).all(...params).map((row) => ({ ...row }));
      } finally {
        db.close();
      }
    },
    async [Symbol.asyncDispose]() {
      for (const store of stores) await store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("a rejection by another process counts from the device's next request, whatever its key cache", async () => {
  await using e = await twoEdges();
  const d = await TestDevice.create(e.a);
  assert.equal((await d.enroll({ token: ENROLL_TOKEN })).status, 201);
  const checkin = await d.checkin(inventoryOf([installed("acme/radio", "1111111")]));
  assert.deepEqual(
    await checkin.json(),
    { state: "accepted", rollouts: {} },
    "edge a now has the key cached",
  );
  const reads = e.reads.a;
  assert.equal((await d.checkin(inventoryOf([installed("acme/radio", "1111111")]))).status, 200);
  assert.equal((await d.report([])).status, 200);
  assert.equal(e.reads.a, reads, "verified with the cached key: no read before the write");
  assert.equal((await operator(e.b).post(`/v1/fleet/devices/${d.id}/reject`)).status, 200);
  const stored = e.sql("SELECT counter, last_seen FROM devices WHERE id = ?1", [d.id]);
  await expectError(await d.checkin(inventoryOf([installed("acme/radio", "2222222")])), 403, {
    code: "E_FORBIDDEN",
  });
  await expectError(await d.report([reportEvent("acme/radio", "2222222")]), 403, { code: "E_FORBIDDEN" });
  assert.deepEqual(e.sql("SELECT counter, last_seen FROM devices WHERE id = ?1", [d.id]), stored);
  assert.deepEqual(e.sql("SELECT commit_id FROM device_apps"), [{ commit_id: "1111111" }], "nothing stored");
  assert.equal(e.sql("SELECT count(*) AS n FROM reports")[0]?.n, 0);
  // Let in again by the operator: the next request is stored, and says so.
  assert.equal((await operator(e.b).post(`/v1/fleet/devices/${d.id}/accept`)).status, 200);
  const again = await d.checkin(inventoryOf([installed("acme/radio", "3333333")]));
  assert.deepEqual(await again.json(), { state: "accepted", rollouts: {} });
  assert.equal((await d.report([reportEvent("acme/radio", "3333333")])).status, 200);
  // Accepted by the other process while cached as pending: the answer tells the stored state.
  const pending = await TestDevice.create(e.a);
  assert.equal((await pending.enroll()).status, 201);
  assert.equal((await (await pending.checkin(inventoryOf([]))).json()).state, "pending");
  assert.equal((await operator(e.b).post(`/v1/fleet/devices/${pending.id}/accept`)).status, 200);
  assert.equal((await (await pending.checkin(inventoryOf([]))).json()).state, "accepted");
});

Deno.test("a key the store no longer holds never verifies a write, even when cached", async () => {
  await using e = await twoEdges();
  const d = await TestDevice.create(e.a), other = await TestDevice.create(e.a);
  assert.equal((await d.enroll({ token: ENROLL_TOKEN })).status, 201);
  assert.equal((await d.checkin(inventoryOf([installed("acme/radio", "1111111")]))).status, 200);
  // The stored key changes under edge a (another process; here, by hand).
  e.sql("UPDATE devices SET public_key = ?2 WHERE id = ?1", [d.id, other.identity.publicKey]);
  await expectError(await d.checkin(inventoryOf([installed("acme/radio", "2222222")])), 401, {
    code: "E_SIGNATURE",
  });
  await expectError(await d.report([reportEvent("acme/radio", "2222222")]), 401, { code: "E_SIGNATURE" });
  assert.deepEqual(e.sql("SELECT commit_id FROM device_apps"), [{ commit_id: "1111111" }], "nothing stored");
  assert.equal(e.sql("SELECT count(*) AS n FROM reports")[0]?.n, 0);
  // Its own key back: the device goes on (its refused counters were never used up).
  e.sql("UPDATE devices SET public_key = ?2 WHERE id = ?1", [d.id, d.identity.publicKey]);
  assert.equal((await d.checkin(inventoryOf([installed("acme/radio", "3333333")]))).status, 200);
  assert.deepEqual(e.sql("SELECT commit_id FROM device_apps"), [{ commit_id: "3333333" }]);
});

Deno.test("a forged signature for a device whose key is cached is refused (401) and stores nothing", async () => {
  await using e = await twoEdges();
  const d = await TestDevice.create(e.a), forger = await TestDevice.create(e.a);
  assert.equal((await d.enroll({ token: ENROLL_TOKEN })).status, 201);
  assert.equal((await d.checkin(inventoryOf([]))).status, 200);
  const forged = await d.send("POST", `/v1/devices/${d.id}/checkin`, {
    body: JSON.stringify(inventoryOf([installed("evil/app", "6666666")])),
    signer: { ...forger.identity, id: d.id },
  });
  await expectError(forged, 401, { code: "E_SIGNATURE" });
  assert.deepEqual(e.sql("SELECT count(*) AS n FROM device_apps"), [{ n: 0 }]);
  assert.equal((await d.checkin(inventoryOf([]))).status, 200);
});
