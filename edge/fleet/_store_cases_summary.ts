/** FleetStore suite cases: the fleet summary. */
import assert from "node:assert/strict";
import {
  app,
  enrolledDevice,
  event,
  inventory,
  minutes,
  rejects,
  type StoreCase,
  T0,
} from "./_store_fixtures.ts";

/** The cases. */
export const SUMMARY_CASES: StoreCase[] = [
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
      const a = await enrolledDevice(store),
        b = await enrolledDevice(store),
        c = await enrolledDevice(store, { state: "pending" });
      const r = await enrolledDevice(store, { state: "rejected" });
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
];
