/** FleetStore suite cases: migrations, enrolment, device state, check-in. */
import assert from "node:assert/strict";
import { NotFoundError, UnsupportedError } from "../../core/errors.ts";
import { ReplayError } from "../../core/fleet/errors.ts";
import { isParsedInventory, parseInventory } from "../../core/fleet/inventory.ts";
import type { Device } from "./fleet_store.ts";
import { app, event, inventory, minutes, newDevice, rejects, type StoreCase, T0 } from "./_store_fixtures.ts";

/** The cases. */
export const DEVICE_CASES: StoreCase[] = [
  {
    name: "migrations: applied on open, idempotent on reopen, a newer or foreign schema refused",
    async run(store, db) {
      await store.close();
      await store.close(); // idempotent
      const again = await db.open();
      await again.close();
      const rows = await db.sql("SELECT version, name FROM schema_migrations ORDER BY version");
      assert.deepEqual(rows.map((r) => ({ ...r })), [
        { version: 1, name: "init" },
        {
          version: 2,
          name: "enroll_tokens",
        },
        { version: 3, name: "rollouts" },
        { version: 4, name: "rollouts_watched_since" },
      ]);
      await db.sql("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 0)");
      await rejects(db.open(), UnsupportedError, /schema version 99 is newer than this Drover knows \(4\)/);
      await db.sql("DELETE FROM schema_migrations WHERE version = 99");
      await db.sql("UPDATE schema_migrations SET name = 'other' WHERE version = 1");
      await rejects(db.open(), UnsupportedError, /migration 1 'other' is not this Drover's/);
      await db.sql("UPDATE schema_migrations SET name = 'init' WHERE version = 1");
      await (await db.open()).close();
    },
  },
  {
    name: "enroll: a new device is pending with its labels; the Device shape is the contract's",
    async run(store) {
      const d = await newDevice();
      const { device, created } = await store.enroll({ ...d, labels: { site: "north" }, counter: 1 }, {
        now: T0,
      });
      assert.equal(created, true);
      assert.deepEqual(
        device,
        {
          id: d.id,
          state: "pending",
          deviceType: null,
          labels: { site: "north" },
          lastSeen: T0,
          apps: [],
          lastInstall: null,
        } satisfies Device,
      );
      assert.deepEqual(await store.getDeviceKey(d.id), { publicKey: d.publicKey, state: "pending" });
      assert.equal(await store.getDeviceKey((await newDevice()).id), undefined);
      const accepted = await newDevice();
      assert.equal((await store.enroll({ ...accepted, state: "accepted" })).device.state, "accepted");
    },
  },
  {
    name:
      "enroll: again with the same key returns the device; only pending -> accepted; labels replaced; counter checked",
    async run(store) {
      const d = await newDevice();
      await store.enroll({ ...d, labels: { a: "1" }, counter: 5 }, { now: T0 });
      const again = await store.enroll({ ...d, counter: 6 }, { now: minutes(1) });
      assert.equal(again.created, false);
      assert.deepEqual(again.device.labels, { a: "1" }, "labels kept when not given");
      assert.deepEqual(again.device.lastSeen, minutes(1));
      await rejects(store.enroll({ ...d, counter: 6 }), ReplayError, /counter 6 is not above 6/);
      const accepted = await store.enroll({ ...d, state: "accepted", labels: { b: "2" }, counter: 7 });
      assert.equal(accepted.device.state, "accepted");
      assert.deepEqual(accepted.device.labels, { b: "2" });
      await store.setState(d.id, "rejected");
      const stillRejected = await store.enroll({ ...d, state: "accepted", counter: 8 });
      assert.equal(stillRejected.device.state, "rejected", "a rejected device cannot re-enrol itself in");
      assert.equal((await store.enroll({ ...d, state: "pending" })).device.state, "rejected");
    },
  },
  {
    name: "enroll: refuses an id that is not its key's, bad states, labels and counters",
    async run(store) {
      const a = await newDevice(), b = await newDevice();
      await rejects(
        store.enroll({ id: a.id, publicKey: b.publicKey }),
        TypeError,
        /not the device id of the public key/,
      );
      await rejects(store.enroll({ id: "d_xyz", publicKey: a.publicKey }), TypeError, /device id/);
      await rejects(store.enroll({ ...a, publicKey: "AAAA" }), TypeError);
      // deno-lint-ignore no-explicit-any
      await rejects(store.enroll({ ...a, state: "admin" as any }), TypeError, /device state 'admin'/);
      await rejects(store.enroll({ ...a, labels: { "bad key": "x" } }), TypeError, /enrolment: labels key/);
      await rejects(store.enroll({ ...a, counter: 0 }), RangeError);
      await rejects(store.enroll({ ...a }, { now: new Date(NaN) }), TypeError, /'now'/);
      assert.equal(await store.getDeviceKey(a.id), undefined, "nothing stored");
    },
  },
  {
    name: "setState: accept, reject, back to pending; NotFoundError for an unknown device",
    async run(store) {
      const d = await newDevice();
      await store.enroll(d);
      assert.equal((await store.setState(d.id, "accepted")).state, "accepted");
      assert.equal((await store.setState(d.id, "rejected")).state, "rejected");
      assert.equal((await store.setState(d.id, "pending")).state, "pending");
      await rejects(store.setState((await newDevice()).id, "accepted"), NotFoundError);
      // deno-lint-ignore no-explicit-any
      await rejects(store.setState(d.id, "gone" as any), TypeError);
      await rejects(store.setState("../etc", "accepted"), TypeError);
    },
  },
  {
    name: "check-in: stores inventory, labels and last seen; the counter must increase, else nothing changes",
    async run(store) {
      const d = await newDevice();
      await store.enroll({ ...d, state: "accepted", counter: 1 }, { now: T0 });
      const apps = [
        app("acme/radio", "1111111", { serial: 7 }),
        app("acme/lights", "2222222", { serial: null }),
      ];
      const stored = await store.recordCheckIn(d.id, inventory(apps, { site: "north" }), {
        counter: 2,
        now: minutes(5),
      });
      assert.deepEqual(
        stored,
        { state: "accepted" },
        "only the state is read back: getDevice reads the device",
      );
      assert.deepEqual(
        (await store.listDevices()).items,
        [{
          id: d.id,
          state: "accepted",
          deviceType: "rpi4",
          labels: { site: "north" },
          lastSeen: minutes(5),
          apps: [
            { name: "acme/lights", ref: "main", commit: "2222222", serial: null },
            { name: "acme/radio", ref: "main", commit: "1111111", serial: 7 },
          ],
          lastInstall: null,
        }] satisfies Device[],
      );
      const detail = (await store.getDevice(d.id))!;
      assert.equal(detail.osVersion, "Debian 12");
      assert.equal(detail.droverVersion, "0.1.0");
      assert.equal(detail.publicKey, d.publicKey);
      assert.deepEqual(detail.enrolledAt, T0);
      assert.deepEqual(detail.apps, [...apps].sort((x, y) => x.name.localeCompare(y.name)));
      // Replays and reordered requests: refused, and they change nothing.
      for (const counter of [2, 1]) {
        await rejects(
          store.recordCheckIn(d.id, inventory([app("acme/evil", "3333333")], { site: "x" }), {
            counter,
            now: minutes(9),
          }),
          ReplayError,
        );
      }
      assert.deepEqual(await store.getDevice(d.id), detail);
      // The next one replaces the inventory: an app removed, a commit changed, labels replaced.
      await store.recordCheckIn(d.id, inventory([app("acme/radio", "4444444")], { env: "prod" }), {
        counter: 10,
        now: minutes(6),
      });
      const next = (await store.getDevice(d.id))!;
      assert.deepEqual(next.apps, [app("acme/radio", "4444444")]);
      assert.deepEqual(next.labels, { env: "prod" });
      await rejects(store.recordCheckIn(d.id, inventory([]), { counter: 0 }), RangeError);
    },
  },
  {
    name: "check-in: an unknown device is NotFoundError and stores nothing, with or without apps and labels",
    async run(store, db) {
      const known = await newDevice();
      await store.enroll({ ...known, counter: 1 });
      const unknown = (await newDevice()).id;
      await rejects(store.recordCheckIn(unknown, inventory([]), { counter: 1 }), NotFoundError);
      await rejects(
        store.recordCheckIn(unknown, inventory([app("acme/radio", "1111111")], { site: "x" }), {
          counter: 1,
        }),
        NotFoundError,
        new RegExp(`Cannot find device ${unknown}`),
      );
      await rejects(
        store.recordReports(unknown, [event("acme/radio", "1111111", "install", "ok")], { counter: 1 }),
        NotFoundError,
      );
      await rejects(store.recordReports(unknown, [], { counter: 1 }), NotFoundError);
      for (const table of ["devices", "device_apps", "device_labels", "reports", "device_releases"]) {
        const [row] = await db.sql(
          `SELECT count(*) AS n FROM ${table} WHERE ${table === "devices" ? "id" : "device_id"} = ?1`,
          [unknown],
        );
        assert.equal(Number(row?.n), 0, table);
      }
    },
  },
  {
    name:
      "device writes with publicKey: only a device that still has that key and is not rejected is written",
    async run(store, db) {
      const d = await newDevice(), other = await newDevice();
      await store.enroll({ ...d, counter: 1 });
      const write = (counter: number, publicKey: string) =>
        store.recordCheckIn(d.id, inventory([app("acme/radio", `${counter}`.padStart(7, "1"))]), {
          counter,
          publicKey,
        });
      assert.deepEqual(await write(2, d.publicKey), { state: "pending" });
      const snapshot = async () => ({
        detail: await store.getDevice(d.id),
        rows: await db.sql("SELECT counter FROM devices WHERE id = ?1", [d.id]),
      });
      const before = await snapshot();
      await rejects(write(3, other.publicKey), NotFoundError, /with that key, not rejected/);
      await rejects(
        store.recordReports(d.id, [event("acme/radio", "1111111", "install", "ok")], {
          counter: 3,
          publicKey: other.publicKey,
        }),
        NotFoundError,
      );
      await store.setState(d.id, "rejected");
      await rejects(write(3, d.publicKey), NotFoundError);
      await rejects(
        store.recordReports(d.id, [event("acme/radio", "1111111", "install", "ok")], {
          counter: 3,
          publicKey: d.publicKey,
        }),
        NotFoundError,
      );
      await store.setState(d.id, "pending");
      assert.deepEqual(await snapshot(), before, "refused writes store nothing, the counter included");
      assert.deepEqual(await write(3, d.publicKey), { state: "pending" });
      await store.setState(d.id, "accepted");
      const r = await store.recordReports(d.id, [event("acme/radio", "1111111", "install", "ok")], {
        counter: 4,
        publicKey: d.publicKey,
      });
      assert.deepEqual(r, { accepted: 1, duplicates: 0 });
      await rejects(write(5, 7 as unknown as string), TypeError, /'publicKey'/);
    },
  },
  {
    name: "check-in: an inventory parseInventory returned is stored as is; any other is checked first",
    async run(store) {
      const d = await newDevice();
      await store.enroll({ ...d, counter: 1 });
      const parsed = parseInventory(inventory([app("acme/radio", "1111111")], { site: "north" }));
      assert.ok(isParsedInventory(parsed) && Object.isFrozen(parsed) && Object.isFrozen(parsed.apps[0]));
      await store.recordCheckIn(d.id, parsed, { counter: 2 });
      assert.deepEqual((await store.getDevice(d.id))?.apps, parsed.apps);
      // Nothing unchecked reaches SQL: a copy, or a document only typed as an inventory, is parsed.
      for (const bad of [{ ...parsed, deviceType: "a b" }, { ...inventory([]), deviceType: "a b" }]) {
        await rejects(store.recordCheckIn(d.id, bad, { counter: 3 }), TypeError, /deviceType/);
      }
      await rejects(
        store.recordCheckIn(d.id, { ...parsed, apps: [{ ...parsed.apps[0]!, commit: "x" }] }, { counter: 3 }),
        TypeError,
        /commit/,
      );
      assert.equal((await store.getDevice(d.id))?.deviceType, "rpi4", "nothing stored");
    },
  },
  {
    name: "check-in: requests racing with one counter: the transaction stores exactly one",
    async run(store) {
      const d = await newDevice();
      await store.enroll({ ...d, counter: 1 });
      const results = await Promise.allSettled([
        store.recordCheckIn(d.id, inventory([app("a/b", "1111111")]), { counter: 2 }),
        store.recordCheckIn(d.id, inventory([app("a/b", "2222222")]), { counter: 2 }),
        store.recordReports(d.id, [event("a/b", "1111111", "install", "ok")], { counter: 2 }),
      ]);
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 1, JSON.stringify(results));
      for (const r of results) {
        if (r.status === "rejected") assert.ok(r.reason instanceof ReplayError, String(r.reason));
      }
    },
  },
];
