/** FleetStore suite cases: listing devices (filters, cursor pages) and device-supplied strings in queries. */
import assert from "node:assert/strict";
import type { FleetStore } from "./fleet_store.ts";
import {
  app,
  enrolledDevice,
  event,
  inventory,
  minutes,
  newDevice,
  rejects,
  type StoreCase,
} from "./_store_fixtures.ts";

/** The cases. */
export const LIST_CASES: StoreCase[] = [
  {
    name: "listDevices: filters by app, commit, state, labels and last seen; cursor pages in id order",
    async run(store) {
      const devices: string[] = [];
      for (let i = 0; i < 7; i++) {
        const d = await enrolledDevice(store, { state: i === 6 ? "pending" : "accepted" });
        const apps = [app("acme/radio", i < 4 ? "1111111" : "2222222")];
        if (i % 2 === 0) apps.push(app("acme/lights", "3333333"));
        await store.recordCheckIn(
          d.id,
          inventory(apps, { site: i < 3 ? "north" : "south", rack: String(i % 2) }),
          {
            counter: 2,
            now: minutes(i),
          },
        );
        devices.push(d.id);
      }
      const all = [...devices].sort();
      const ids = async (filter: Parameters<FleetStore["listDevices"]>[0]) =>
        (await store.listDevices(filter)).items.map((d) => d.id);
      const pick = (pred: (i: number) => boolean) => devices.filter((_, i) => pred(i)).sort();
      assert.deepEqual(await ids({}), all);
      assert.deepEqual(await ids({ app: "acme/radio" }), all);
      assert.deepEqual(await ids({ app: "acme/lights" }), pick((i) => i % 2 === 0));
      assert.deepEqual(await ids({ app: "acme/radio", commit: "2222222" }), pick((i) => i >= 4));
      assert.deepEqual(await ids({ app: "acme/lights", commit: "2222222" }), []);
      assert.deepEqual(await ids({ commit: "3333333" }), pick((i) => i % 2 === 0));
      assert.deepEqual(await ids({ state: "pending" }), [devices[6]]);
      assert.deepEqual(await ids({ labels: { site: "north" } }), pick((i) => i < 3));
      assert.deepEqual(
        await ids({ labels: { site: "south", rack: "1" } }),
        pick((i) => i >= 3 && i % 2 === 1),
      );
      assert.deepEqual(await ids({ seenSince: minutes(5) }), pick((i) => i >= 5));
      assert.deepEqual(
        await ids({ app: "acme/radio", state: "accepted", labels: { rack: "0" } }),
        pick((i) => i % 2 === 0 && i < 6),
      );
      // Pages of 3: every device once, in id order, then next = null.
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Awaited<ReturnType<FleetStore["listDevices"]>> = await store.listDevices({
          limit: 3,
          cursor,
        });
        seen.push(...page.items.map((d) => d.id));
        cursor = page.next;
        pages++;
      } while (cursor !== null);
      assert.deepEqual(seen, all);
      assert.equal(pages, 3);
      const exact = await store.listDevices({ limit: 7 });
      assert.equal(exact.next, null);
      const first = (await store.listDevices({ limit: 1 })).items[0]!;
      assert.deepEqual(first.apps.map((a) => a.name), first.apps.map((a) => a.name).sort());
      await rejects(store.listDevices({ limit: 0 }), RangeError);
      await rejects(store.listDevices({ limit: 501 }), RangeError);
      await rejects(store.listDevices({ cursor: "' OR 1=1 --" }), TypeError, /cursor/);
      // deno-lint-ignore no-explicit-any
      await rejects(store.listDevices({ state: "all" as any }), TypeError);
      await rejects(store.listDevices({ labels: { "a b": "c" } }), TypeError);
      await rejects(store.listDevices({ app: "" }), TypeError);
    },
  },
  {
    name: "device-supplied strings are data, never SQL: quotes, comments and JSON paths round-trip",
    async run(store, db) {
      const d = await newDevice();
      const hostile = "x'); DROP TABLE devices; -- \"$.name\" \\ %_ ' OR '1'='1";
      await store.enroll({ ...d, labels: { "k.ey/x": hostile }, counter: 1 });
      await store.recordCheckIn(
        d.id,
        {
          ...inventory([app("o-x/a.b+c", "1111111")], { "k.ey/x": hostile, "x.name": "$.name" }),
          osVersion: hostile,
        },
        { counter: 2 },
      );
      assert.deepEqual((await store.getDevice(d.id))?.labels, { "k.ey/x": hostile, "x.name": "$.name" });
      await store.recordReports(d.id, [
        event("o-x/a.b+c", "1111111", "install", "error", { message: hostile }),
      ], {
        counter: 3,
      });
      const detail = (await store.getDevice(d.id))!;
      assert.equal(detail.osVersion, hostile);
      assert.equal(detail.reports[0]?.message, hostile);
      assert.deepEqual((await store.listDevices({ labels: { "k.ey/x": hostile } })).items.map((x) => x.id), [
        d.id,
      ]);
      assert.deepEqual((await store.listDevices({ app: "o-x/a.b+c" })).items.map((x) => x.id), [d.id]);
      assert.deepEqual((await store.listDevices({ app: "%" })).items, []);
      assert.deepEqual((await store.listDevices({ app: "' OR '1'='1" })).items, []);
      const rows = await db.sql("SELECT count(*) AS n FROM devices");
      assert.equal(Number(rows[0]?.n), 1);
    },
  },
  {
    name: "listDevices: a commit of 7 to 64 hex digits also matches the commits starting with it",
    async run(store) {
      const X = "0123456789ab" + "c".repeat(28),
        Y = "0123456" + "f".repeat(33),
        Z = "0123456789ab" + "0".repeat(28);
      const ids: string[] = [];
      for (const apps of [[app("acme/radio", X)], [app("acme/radio", Y)], [app("acme/lights", Z)]]) {
        const d = await enrolledDevice(store);
        await store.recordCheckIn(d.id, inventory(apps), { counter: 2 });
        ids.push(d.id);
      }
      const [x, y, z] = ids;
      const list = async (filter: Parameters<FleetStore["listDevices"]>[0]) =>
        (await store.listDevices(filter)).items.map((d) => d.id);
      assert.deepEqual(await list({ commit: X }), [x]);
      assert.deepEqual(await list({ commit: "0123456789ab" }), [x, z].sort(), "as tables print it");
      assert.deepEqual(await list({ commit: "0123456789abc" }), [x]);
      assert.deepEqual(await list({ commit: "0123456" }), [...ids].sort());
      assert.deepEqual(await list({ app: "acme/radio", commit: "0123456" }), [x, y].sort());
      assert.deepEqual(await list({ app: "acme/lights", commit: "01234567" }), [z]);
      assert.deepEqual(await list({ commit: `${X}0` }), [], "longer than the commit: none");
      // not a commit (short, upper case, wildcards): matched exactly, so nothing
      for (const commit of ["012345", "0123456789AB", "0123456%", "0123456_"]) {
        assert.deepEqual(await list({ commit }), [], commit);
      }
    },
  },
];
