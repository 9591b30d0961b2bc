/** FleetStore suite cases: reports, lists, the summary, pruning, hostile strings. */
import assert from "node:assert/strict";
import { NotFoundError } from "../../core/errors.ts";
import { ReplayError } from "../../core/fleet/errors.ts";
import type { FleetStore } from "./fleet_store.ts";
import { app, event, inventory, minutes, newDevice, rejects, type StoreCase, T0 } from "./_store_fixtures.ts";

async function enrolled(store: FleetStore, options: { state?: "accepted" | "pending" | "rejected" } = {}) {
  const d = await newDevice();
  await store.enroll({ ...d, state: options.state ?? "accepted", counter: 1 }, { now: T0 });
  return d;
}

export const FLEET_CASES: StoreCase[] = [
  {
    name:
      "reports: idempotent by event id per device, exact per-release counters, lastInstall from outcomes only",
    async run(store) {
      const d = await enrolled(store), other = await enrolled(store);
      const download = event("acme/radio", "1111111", "download", "ok", { bytes: 1024, durationMs: 30 });
      const verify = event("acme/radio", "1111111", "verify", "ok");
      const health = event("acme/radio", "1111111", "health", "error", {
        errorCode: "E_HEALTH",
        message: "exit 1\nsee log",
        at: "2026-03-01T12:01:00.000Z",
      });
      assert.deepEqual(
        await store.recordReports(d.id, [download, verify, health], { counter: 2, now: minutes(1) }),
        { accepted: 3, duplicates: 0 },
      );
      // The spool resends (an acknowledgement was lost) with one new event, and a repeat within the batch.
      const rollback = event("acme/radio", "1111111", "rollback", "rolled_back", {
        at: "2026-03-01T12:02:00.000Z",
      });
      assert.deepEqual(
        await store.recordReports(d.id, [verify, health, rollback, rollback], {
          counter: 3,
          now: minutes(2),
        }),
        { accepted: 1, duplicates: 3 },
      );
      // Another device may use the same event ids: they are per device.
      assert.deepEqual(await store.recordReports(other.id, [health], { counter: 2 }), {
        accepted: 1,
        duplicates: 0,
      });
      // Progress after an outcome does not hide the outcome.
      const nextDownload = event("acme/radio", "2222222", "download", "ok");
      await store.recordReports(d.id, [nextDownload], { counter: 4, now: minutes(3) });
      const detail = (await store.getDevice(d.id))!;
      assert.deepEqual(detail.lastInstall, {
        app: "acme/radio",
        commit: "1111111",
        result: "rolled_back",
        stage: "rollback",
        errorCode: null,
        at: new Date("2026-03-01T12:02:00.000Z"),
      });
      assert.deepEqual(detail.lastSeen, minutes(3));
      assert.deepEqual(detail.reports.map((r) => r.id), [
        nextDownload.id,
        rollback.id,
        health.id,
        verify.id,
        download.id,
      ]);
      assert.deepEqual(detail.reports[2], {
        id: health.id,
        app: "acme/radio",
        commit: "1111111",
        stage: "health",
        result: "error",
        errorCode: "E_HEALTH",
        message: "exit 1\nsee log",
        bytes: null,
        durationMs: null,
        at: new Date("2026-03-01T12:01:00.000Z"),
        receivedAt: minutes(1),
      });
      assert.equal(detail.reports[4]?.bytes, 1024);
      assert.deepEqual((await store.getDevice(d.id, { reports: 2 }))!.reports.length, 2);
      assert.deepEqual(detail.releases, [
        {
          app: "acme/radio",
          commit: "1111111",
          events: 4,
          ok: 2,
          error: 1,
          rolledBack: 1,
          lastStage: "rollback",
          lastResult: "rolled_back",
          lastAt: new Date("2026-03-01T12:02:00.000Z"),
        },
        {
          app: "acme/radio",
          commit: "2222222",
          events: 1,
          ok: 1,
          error: 0,
          rolledBack: 0,
          lastStage: "download",
          lastResult: "ok",
          lastAt: T0,
        },
      ]);
      // A replayed batch is refused as a whole: no new event lands.
      const late = event("acme/radio", "2222222", "install", "ok");
      await rejects(store.recordReports(d.id, [late], { counter: 4 }), ReplayError);
      assert.equal((await store.getDevice(d.id))!.reports.length, 5);
      assert.deepEqual(await store.recordReports(d.id, [], { counter: 5 }), { accepted: 0, duplicates: 0 });
      await rejects(store.recordReports((await newDevice()).id, [late], { counter: 9 }), NotFoundError);
      await rejects(
        store.recordReports(d.id, [{ ...late, stage: "boot" as unknown as "install" }], { counter: 9 }),
        TypeError,
        /stage/,
      );
      await rejects(store.recordReports(d.id, new Array(101).fill(late), { counter: 9 }), RangeError);
      await rejects(store.getDevice(d.id, { reports: 101 }), RangeError);
      assert.equal(await store.getDevice((await newDevice()).id), undefined);
      await rejects(store.getDevice("nope"), TypeError);
    },
  },
  {
    name: "listDevices: filters by app, commit, state, labels and last seen; cursor pages in id order",
    async run(store) {
      const devices: string[] = [];
      for (let i = 0; i < 7; i++) {
        const d = await enrolled(store, { state: i === 6 ? "pending" : "accepted" });
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
    name: "summary: devices by state, seen recently or stale, devices per app/ref/commit, latest outcomes",
    async run(store) {
      const empty = await store.summary({ now: T0 });
      assert.deepEqual(empty, {
        at: T0,
        devices: { total: 0, accepted: 0, pending: 0, rejected: 0 },
        seen: { since: new Date(T0.getTime() - 24 * 3600_000), recent: 0, stale: 0 },
        apps: [],
        lastInstall: { ok: 0, error: 0, rolledBack: 0, none: 0 },
      });
      const a = await enrolled(store),
        b = await enrolled(store),
        c = await enrolled(store, { state: "pending" });
      const r = await enrolled(store, { state: "rejected" });
      await store.recordCheckIn(
        a.id,
        inventory([app("acme/radio", "1111111"), app("acme/lights", "3333333")]),
        {
          counter: 2,
          now: minutes(60),
        },
      );
      await store.recordCheckIn(b.id, inventory([app("acme/radio", "1111111")]), {
        counter: 2,
        now: minutes(60),
      });
      await store.recordCheckIn(c.id, inventory([app("acme/radio", "2222222", { ref: "beta" })]), {
        counter: 2,
        now: T0,
      });
      const report = (id: string, e: ReturnType<typeof event>, now: Date) =>
        store.recordReports(id, [e], { counter: 3, now });
      await report(a.id, event("acme/radio", "1111111", "health", "ok"), minutes(60));
      await report(b.id, event("acme/radio", "1111111", "install", "error"), minutes(60));
      await report(c.id, event("acme/radio", "2222222", "health", "rolled_back"), T0);
      await report(r.id, event("acme/radio", "1111111", "verify", "ok"), T0);
      const now = minutes(120);
      const summary = await store.summary({ now, staleAfterMs: 90 * 60_000 });
      assert.deepEqual(summary, {
        at: now,
        devices: { total: 4, accepted: 2, pending: 1, rejected: 1 },
        seen: { since: minutes(30), recent: 2, stale: 2 },
        apps: [
          { name: "acme/lights", ref: "main", devices: 1, commits: [{ commit: "3333333", devices: 1 }] },
          { name: "acme/radio", ref: "beta", devices: 1, commits: [{ commit: "2222222", devices: 1 }] },
          { name: "acme/radio", ref: "main", devices: 2, commits: [{ commit: "1111111", devices: 2 }] },
        ],
        lastInstall: { ok: 1, error: 1, rolledBack: 1, none: 1 },
      });
      // Counts follow changes: b moves to a new commit, a drops an app, c moves ref.
      await store.recordCheckIn(b.id, inventory([app("acme/radio", "4444444")]), {
        counter: 4,
        now: minutes(61),
      });
      await store.recordCheckIn(a.id, inventory([app("acme/radio", "1111111")]), {
        counter: 4,
        now: minutes(61),
      });
      await store.recordCheckIn(c.id, inventory([app("acme/radio", "2222222")]), {
        counter: 4,
        now: minutes(61),
      });
      const after = await store.summary({ now, staleAfterMs: 90 * 60_000 });
      assert.deepEqual(after.apps, [
        {
          name: "acme/radio",
          ref: "main",
          devices: 3,
          commits: [{ commit: "1111111", devices: 1 }, { commit: "2222222", devices: 1 }, {
            commit: "4444444",
            devices: 1,
          }],
        },
      ]);
      assert.deepEqual(after.seen, { since: minutes(30), recent: 3, stale: 1 });
      await rejects(store.summary({ staleAfterMs: -1 }), RangeError);
    },
  },
  {
    name: "pruneReports: deletes old reports only; counters, lastInstall and the summary stay exact",
    async run(store) {
      const d = await enrolled(store);
      const old = [event("a/b", "1111111", "install", "ok"), event("a/b", "1111111", "health", "error")];
      await store.recordReports(d.id, old, { counter: 2, now: T0 });
      const fresh = event("a/b", "2222222", "health", "ok");
      await store.recordReports(d.id, [fresh], { counter: 3, now: minutes(60 * 24 * 10) });
      const before = (await store.getDevice(d.id))!;
      const summaryBefore = await store.summary({ now: minutes(60 * 24 * 10) });
      assert.equal(await store.pruneReports(7 * 24 * 3600_000, { now: minutes(60 * 24 * 10) }), 2);
      assert.equal(await store.pruneReports(7 * 24 * 3600_000, { now: minutes(60 * 24 * 10) }), 0);
      const after = (await store.getDevice(d.id))!;
      assert.deepEqual(after.reports.map((r) => r.id), [fresh.id]);
      assert.deepEqual(after.releases, before.releases);
      assert.deepEqual(after.lastInstall, before.lastInstall);
      assert.deepEqual(await store.summary({ now: minutes(60 * 24 * 10) }), summaryBefore);
      assert.equal(before.releases[0]?.events, 2);
      await rejects(store.pruneReports(-1), RangeError);
      await rejects(store.pruneReports(1.5), RangeError);
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
];
