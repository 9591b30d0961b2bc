/** FleetStore suite cases: what keeps storage bounded (reports kept per device) and enrolment tokens. */
import assert from "node:assert/strict";
import { REPORTS_KEPT_PER_DEVICE } from "./fleet_store.ts";
import { event, minutes, newDevice, rejects, type StoreCase, T0 } from "./_store_fixtures.ts";

const hashOf = (n: number) => n.toString(16).padStart(64, "0");

/** The cases. */
export const LIMIT_CASES: StoreCase[] = [
  {
    name:
      "recordReports keeps the newest REPORTS_KEPT_PER_DEVICE events of a device; counters count them all",
    async run(store, db) {
      const d = await newDevice(), other = await newDevice();
      await store.enroll({ ...d, state: "accepted", counter: 1 }, { now: T0 });
      await store.enroll({ ...other, state: "accepted", counter: 1 }, { now: T0 });
      await store.recordReports(other.id, [event("a/b", "1111111", "install", "ok")], { counter: 2 });
      const total = REPORTS_KEPT_PER_DEVICE + 150;
      const ids: string[] = [];
      for (let sent = 0, counter = 2; sent < total; sent += 100, counter++) {
        const batch = Array.from(
          { length: Math.min(100, total - sent) },
          () => event("a/b", "1111111", "install", "ok"),
        );
        ids.push(...batch.map((e) => e.id));
        const r = await store.recordReports(d.id, batch, { counter });
        assert.equal(r.accepted, batch.length);
      }
      const rows = await db.sql("SELECT event_id FROM reports WHERE device_id = ?1 ORDER BY seq", [d.id]);
      assert.deepEqual(rows.map((r) => r.event_id), ids.slice(-REPORTS_KEPT_PER_DEVICE));
      const detail = (await store.getDevice(d.id, { reports: 100 }))!;
      assert.equal(detail.releases[0]?.events, total, "the counters count every accepted event");
      assert.equal(detail.reports[0]?.id, ids.at(-1));
      const others = await db.sql("SELECT count(*) AS n FROM reports WHERE device_id = ?1", [other.id]);
      assert.equal(Number(others[0]?.n), 1, "another device's reports are untouched");
    },
  },
  {
    name:
      "enrolment tokens: used while unexpired and not used up, once per use, atomically; bad input refused",
    async run(store, db) {
      await store.addEnrollToken({ hash: hashOf(1), expiresAt: minutes(60), uses: 2 }, { now: T0 });
      await store.addEnrollToken({ hash: hashOf(2), expiresAt: minutes(60), uses: null }, { now: T0 });
      await store.addEnrollToken({ hash: hashOf(3), expiresAt: minutes(1), uses: null }, { now: T0 });
      const use = (n: number, at = minutes(2)) => store.useEnrollToken(hashOf(n), { now: at });
      assert.deepEqual(await Promise.all([use(1), use(1), use(1)]), [true, true, false], "2 uses");
      for (let i = 0; i < 5; i++) assert.equal(await use(2), true, "unlimited until it expires");
      assert.equal(await use(2, minutes(60)), false, "expired");
      assert.equal(await use(3), false, "expired");
      assert.equal(await use(4), false, "unknown");
      await store.addEnrollToken({ hash: hashOf(5), expiresAt: minutes(200), uses: 1 }, {
        now: minutes(120),
      });
      const rows = await db.sql("SELECT hash FROM enroll_tokens ORDER BY hash");
      assert.deepEqual(rows.map((r) => r.hash), [hashOf(5)], "minting deletes expired tokens");
      await rejects(store.useEnrollToken("ABC"), TypeError);
      await rejects(store.addEnrollToken({ hash: hashOf(6), expiresAt: new Date(NaN), uses: 1 }), TypeError);
      await rejects(store.addEnrollToken({ hash: hashOf(6), expiresAt: minutes(1), uses: 0 }), RangeError);
    },
  },
];
