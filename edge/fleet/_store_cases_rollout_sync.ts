/**
 * FleetStore suite cases: what registering the served rollouts does besides adding new ones (a new
 * rollout is watched from its registration; a superseded running one is done) and migration 4.
 */
import assert from "node:assert/strict";
import { createRollout } from "../../core/rollout/mod.ts";
import { enrolledDevices, event, minutes, type StoreCase, T0 } from "./_store_fixtures.ts";
import { rolloutRelease } from "./_store_cases_rollouts.ts";

const A = "acme/radio", C2 = "2222222", C3 = "3333333", C4 = "4444444";
const NONE = { succeeded: 0, failed: 0, rolledBack: 0, timedOut: 0, inProgress: 0 };

/** The cases. */
export const ROLLOUT_SYNC_CASES: StoreCase[] = [
  {
    name: "rollouts: watched from their registration; reports from before it (a re-published commit) never",
    async run(store) {
      const r7 = rolloutRelease(C2, 7), r8 = rolloutRelease(C2, 8); // serial 8 re-publishes commit C2
      const [d1, d2, d3, d4, d5] = await enrolledDevices(store, 5);
      await store.syncRollouts([r7], { now: T0 });
      const at = (m: number) => ({ now: minutes(m), timeoutMs: 60 * 60_000 });
      assert.deepEqual((await store.getRollout(r7.rollout.id, at(0)))!.watchedSince, T0, "not the epoch");
      for (const [i, d] of [d1!, d2!, d3!].entries()) {
        await store.recordReports(d.id, [event(A, C2, "install", "error", { errorCode: "E_IO" })], {
          counter: ++d.counter,
          now: minutes(1 + i),
        });
      }
      // d5's reports are pruned by the time serial 8 is registered: counted, not watched either
      await store.recordReports(d5!.id, [event(A, C2, "install", "ok")], { counter: 2, now: minutes(-300) });
      assert.equal(await store.pruneReports(60 * 60_000, { now: minutes(10) }), 1);
      assert.equal(await store.syncRollouts([r7, r8], { now: minutes(10) }), 1);
      let got = (await store.getRollout(r8.rollout.id, at(11)))!;
      assert.deepEqual(got.watchedSince, minutes(10));
      assert.deepEqual(got.counts, { ...NONE, failed: 3, succeeded: 1 }, "every device of the release");
      assert.deepEqual(got.watched, NONE, "failures reported before the rollout existed are not judged");
      await store.recordReports(d4!.id, [event(A, C2, "install", "error", { errorCode: "E_IO" })], {
        counter: 2,
        now: minutes(12),
      });
      got = (await store.getRollout(r8.rollout.id, at(13)))!;
      assert.deepEqual([got.counts.failed, got.watched.failed], [4, 1]);
    },
  },
  {
    name: "rollouts: a running one a newer release of its app and ref supersedes is done; holds are kept",
    async run(store) {
      const r2 = rolloutRelease(C2, 2), r3 = rolloutRelease(C3, 3), r4 = rolloutRelease(C4, 4);
      const beta = { ...rolloutRelease("5555555", 1), ref: "beta" };
      beta.rollout = createRollout({ id: "acme:radio:beta:1:5555555", publishedAt: T0, steps: "50" });
      await store.syncRollouts([r3], { now: T0 });
      await store.updateRollout(r3.rollout.id, { state: "halted", cap: 0, reason: "halt" }, {
        from: ["running"],
      });
      // serial 5 has no rollout: only `newestSerial` tells it
      assert.equal(
        await store.syncRollouts([r2, r3, { ...r4, newestSerial: 5 }, beta], { now: minutes(1) }),
        3,
      );
      const byId = new Map((await store.listRollouts()).map((r) => [r.id, r]));
      for (const [r, serial] of [[r2, 5], [r4, 5]] as const) {
        const got = byId.get(r.rollout.id)!;
        assert.deepEqual([got.state, got.cap, got.updatedAt], ["done", null, minutes(1)]);
        assert.equal(
          got.reason,
          `superseded by serial ${serial}, a newer release of ${A} main: no longer watched`,
        );
      }
      assert.deepEqual([byId.get(r3.rollout.id)!.state, byId.get(r3.rollout.id)!.cap], ["halted", 0]);
      assert.deepEqual((await store.listRollouts({ states: ["running"] })).map((r) => r.id), [
        beta.rollout.id,
      ]);
      const main = [{ name: A, ref: "main" }];
      assert.deepEqual({ ...await store.rolloutHolds(main) }, {
        [r3.rollout.id]: { cap: 0, state: "halted" },
      });
      // resumed (no cap), it is done at the next sync: not running again
      const resume = { state: "running", cap: null, reason: "resumed", rewatch: true } as const;
      assert.ok(await store.updateRollout(r3.rollout.id, resume, { from: ["halted"], now: minutes(2) }));
      assert.equal(await store.syncRollouts([r2, r3, r4], { now: minutes(3) }), 0);
      assert.deepEqual((await store.getRollout(r3.rollout.id))!.state, "done");
      assert.deepEqual({ ...await store.rolloutHolds(main) }, {});
      assert.deepEqual((await store.listRollouts({ states: ["running"] })).map((r) => r.id), [
        beta.rollout.id,
      ]);
    },
  },
  {
    name: "migration 4: a rollout watched since the epoch is watched from its registration",
    async run(store, db) {
      const r2 = rolloutRelease(C2, 2);
      const [d1, d2] = await enrolledDevices(store, 2);
      await store.recordReports(d1!.id, [event(A, C2, "install", "error")], { counter: 2, now: T0 });
      await store.syncRollouts([r2], { now: minutes(5) });
      await store.recordReports(d2!.id, [event(A, C2, "install", "error")], { counter: 2, now: minutes(5) });
      await store.close();
      // as migration 3 left it: watched since 0, the device copied in stamped with the registration
      await db.sql("UPDATE rollouts SET watched_since = 0");
      await db.sql("UPDATE rollout_devices SET started_at = ?1, updated_at = ?1", [minutes(5).getTime()]);
      await db.sql("DELETE FROM schema_migrations WHERE version = 4");
      const again = await db.open();
      try {
        const got = (await again.getRollout(r2.rollout.id, { now: minutes(6) }))!;
        assert.deepEqual(got.watchedSince, minutes(5));
        assert.deepEqual([got.counts.failed, got.watched.failed], [2, 1], "d1 reported before, d2 at it");
      } finally {
        await again.close();
      }
    },
  },
];
