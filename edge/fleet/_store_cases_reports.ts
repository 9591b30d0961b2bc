/** FleetStore suite cases: install reports (idempotent, counted per release) and their pruning. */
import assert from "node:assert/strict";
import { NotFoundError } from "../../core/errors.ts";
import { ReplayError } from "../../core/fleet/errors.ts";
import { enrolledDevice, event, minutes, newDevice, rejects, type StoreCase, T0 } from "./_store_fixtures.ts";

/** The cases. */
export const REPORT_CASES: StoreCase[] = [
  {
    name:
      "reports: idempotent by event id per device, exact per-release counters, lastInstall from outcomes only",
    async run(store) {
      const d = await enrolledDevice(store), other = await enrolledDevice(store);
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
    name: "pruneReports: deletes old reports only; counters, lastInstall and the summary stay exact",
    async run(store) {
      const d = await enrolledDevice(store);
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
];
