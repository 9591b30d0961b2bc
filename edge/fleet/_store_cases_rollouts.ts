/** FleetStore suite cases: rollouts (registered from metadata, counted from reports, held). */
import assert from "node:assert/strict";
import { parseInventory, trackedRefs } from "../../core/fleet/inventory.ts";
import { createRollout } from "../../core/rollout/mod.ts";
import type { RolloutRelease } from "./fleet_store.ts";
import {
  app,
  enrolledDevices,
  event,
  inventory,
  minutes,
  rejects,
  type StoreCase,
  T0,
} from "./_store_fixtures.ts";

const A = "acme/radio", C2 = "2222222", C3 = "3333333";

/** A release of `acme/radio` (`ref`, default main) with a rollout. */
export function rolloutRelease(commit: string, serial: number, ref = "main"): RolloutRelease {
  return {
    app: A,
    ref,
    commit,
    serial,
    rollout: createRollout({
      id: `acme:radio:${ref}:${serial}:${commit}`,
      publishedAt: T0,
      steps: "20,100@1h",
      halt: { minDevices: 3, maxFailurePercent: 50 },
    }),
  };
}

/** The cases. */
export const ROLLOUT_CASES: StoreCase[] = [
  {
    name: "rollouts: registered once from metadata, counted by each device's latest outcome, timeouts",
    async run(store) {
      const r2 = rolloutRelease(C2, 2), id = r2.rollout.id;
      const [d1, d2, d3, d4, d5] = await enrolledDevices(store, 5);
      // d5 reported before the edge knew the rollout: counted when it is registered
      await store.recordReports(d5!.id, [event(A, C2, "install", "ok")], { counter: ++d5!.counter, now: T0 });
      assert.equal(await store.syncRollouts([r2], { now: T0 }), 1);
      assert.equal(
        await store.syncRollouts([r2, rolloutRelease(C3, 3, "beta")], { now: minutes(1) }),
        1,
        "known: kept",
      );
      const report = (d: { id: string; counter: number }, ...events: ReturnType<typeof event>[]) =>
        store.recordReports(d.id, events, { counter: ++d.counter, now: minutes(2) });
      await report(d1!, event(A, C2, "download", "ok"), event(A, C2, "verify", "ok"));
      await report(
        d2!,
        event(A, C2, "download", "ok"),
        event(A, C2, "health", "error", { errorCode: "E_HEALTH" }),
      );
      await report(d2!, event(A, C2, "rollback", "rolled_back"));
      await report(d3!, event(A, C2, "install", "error", { errorCode: "E_IO" }));
      await report(d3!, event(A, C2, "download", "ok")); // a retry's progress does not undo the failure
      await report(d4!, event(A, C3, "install", "ok"), event("acme/other", C2, "install", "error"));
      const at = (m: number) => ({ now: minutes(m), timeoutMs: 60 * 60_000 });
      const got = (await store.getRollout(id, at(10)))!;
      assert.deepEqual(
        [got.app, got.ref, got.commit, got.serial, got.state, got.cap, got.reason],
        [A, "main", C2, 2, "running", null, null],
      );
      assert.deepEqual(got.rollout, r2.rollout);
      assert.deepEqual(got.counts, { succeeded: 1, failed: 1, rolledBack: 1, timedOut: 0, inProgress: 1 });
      assert.deepEqual(got.watched, got.counts);
      assert.deepEqual(got.topErrors, [{ code: "E_HEALTH", devices: 1 }, { code: "E_IO", devices: 1 }]);
      const later = (await store.getRollout(id, at(63)))!;
      assert.deepEqual(later.counts, { succeeded: 1, failed: 1, rolledBack: 1, timedOut: 1, inProgress: 0 });
      const list = await store.listRollouts({}, at(10));
      assert.deepEqual(list.map((r) => r.id), [rolloutRelease(C3, 3, "beta").rollout.id, id], "newest first");
      assert.equal(list[0]!.counts.succeeded, 1);
      assert.deepEqual((await store.listRollouts({ commit: C2 }, at(10))).map((r) => r.id), [id]);
      assert.deepEqual(await store.listRollouts({ states: ["halted"] }, at(10)), []);
      assert.equal(await store.getRollout("acme:nope:main:1:0000000"), undefined);
      await rejects(store.getRollout("not one/id"), TypeError);
      await rejects(store.listRollouts({ limit: 0 }), RangeError);
    },
  },
  {
    name: "rollouts: holds change only from the given states; a resume restarts the watched counts",
    async run(store) {
      const r2 = rolloutRelease(C2, 2), id = r2.rollout.id;
      await store.syncRollouts([r2], { now: T0 });
      const [d1] = await enrolledDevices(store, 1);
      await store.recordReports(d1!.id, [event(A, C2, "install", "error")], { counter: 2, now: minutes(1) });
      const halt = { state: "halted", cap: 0, reason: "halt: 1 of 1" } as const;
      assert.equal(await store.updateRollout(id, halt, { from: ["paused"], now: minutes(2) }), false);
      assert.equal(await store.updateRollout(id, halt, { from: ["running"], now: minutes(2) }), true);
      assert.equal(await store.updateRollout(id, halt, { from: ["running"], now: minutes(3) }), false);
      let got = (await store.getRollout(id, { now: minutes(4) }))!;
      assert.deepEqual([got.state, got.cap, got.reason, got.updatedAt], [
        "halted",
        0,
        "halt: 1 of 1",
        minutes(2),
      ]);
      const resume = {
        state: "running",
        cap: null,
        reason: "resumed by the operator",
        rewatch: true,
      } as const;
      assert.equal(
        await store.updateRollout(id, resume, { from: ["halted", "paused"], now: minutes(5) }),
        true,
      );
      got = (await store.getRollout(id, { now: minutes(6) }))!;
      assert.deepEqual([got.state, got.cap, got.watchedSince], ["running", null, minutes(5)]);
      assert.equal(got.counts.failed, 1);
      assert.equal(got.watched.failed, 0, "the halt rule counts from the resume");
      assert.equal(await store.updateRollout("acme:nope:main:1:0000000", halt, { from: ["running"] }), false);
      await rejects(store.updateRollout(id, { ...halt, cap: 101 }, { from: ["running"] }), RangeError);
      await rejects(
        store.updateRollout(id, { ...halt, state: "gone" as "halted" }, { from: ["running"] }),
        TypeError,
      );
    },
  },
  {
    name: "rollouts: failures grouped by outcome, stage and error code, with example devices",
    async run(store) {
      const r2 = rolloutRelease(C2, 2), id = r2.rollout.id;
      await store.syncRollouts([r2], { now: T0 });
      const devices = await enrolledDevices(store, 6);
      const report = (d: { id: string; counter: number }, ...events: ReturnType<typeof event>[]) =>
        store.recordReports(d.id, events, { counter: ++d.counter, now: minutes(2) });
      for (const d of devices.slice(0, 3)) {
        await report(
          d,
          event(A, C2, "health", "error", { errorCode: "E_HEALTH", message: `unhealthy ${d.id}` }),
          event(A, C2, "rollback", "rolled_back"),
        );
      }
      await report(
        devices[3]!,
        event(A, C2, "install", "error", { errorCode: "E_IO", message: "<b>disk</b>" }),
      );
      await report(devices[4]!, event(A, C2, "install", "ok"));
      await report(
        devices[5]!,
        event(A, C2, "download", "error", { errorCode: "E_NET" }),
        event(A, C3, "install", "error"),
      );
      const groups = await store.rolloutFailures(id, { examples: 2 });
      const sorted = devices.slice(0, 3).map((d) => d.id).sort();
      assert.deepEqual(groups, [
        {
          outcome: "rolledBack",
          stage: "health",
          code: "E_HEALTH",
          devices: 3,
          examples: sorted.slice(0, 2).map((deviceId) => ({ deviceId, message: `unhealthy ${deviceId}` })),
        },
        {
          outcome: "failed",
          stage: "install",
          code: "E_IO",
          devices: 1,
          examples: [{ deviceId: devices[3]!.id, message: "<b>disk</b>" }],
        },
      ]);
      assert.deepEqual(
        (await store.rolloutFailures(id, { groups: 1, examples: 0 })).map((g) => [g.code, g.examples]),
        [
          ["E_HEALTH", []],
        ],
      );
      assert.deepEqual(await store.rolloutFailures("acme:nope:main:1:0000000"), []);
      await rejects(store.rolloutFailures("not one/id"), TypeError);
      await rejects(store.rolloutFailures(id, { groups: 0 }), RangeError);
      await rejects(store.rolloutFailures(id, { examples: 21 }), RangeError);
    },
  },
  {
    name: "rollouts: check-in holds are the capped rollouts of the device's apps and refs",
    async run(store) {
      const r2 = rolloutRelease(C2, 2), r3 = rolloutRelease(C3, 3);
      const other = { ...rolloutRelease("4444444", 4), ref: "beta" };
      other.rollout = createRollout({ id: "acme:radio:beta:4:4444444", publishedAt: T0, steps: "50" });
      await store.syncRollouts([r2, other], { now: T0 });
      const [d1] = await enrolledDevices(store, 1);
      await store.recordCheckIn(d1!.id, inventory([app(A, "1111111")]), { counter: 2 });
      const apps = [{ name: A, ref: "main" }];
      assert.deepEqual({ ...await store.rolloutHolds(apps) }, {}, "running, no cap: nothing to hold");
      await store.updateRollout(r2.rollout.id, { state: "halted", cap: 0, reason: "x" }, {
        from: ["running"],
      });
      await store.syncRollouts([r2, r3, other], { now: T0 }); // halted: r3 does not make it done
      await store.updateRollout(r3.rollout.id, { state: "paused", cap: 0, reason: "y" }, {
        from: ["running"],
      });
      await store.updateRollout(other.rollout.id, { state: "paused", cap: 0, reason: "z" }, {
        from: ["running"],
      });
      assert.deepEqual({ ...await store.rolloutHolds(apps) }, {
        [r2.rollout.id]: { cap: 0, state: "halted" },
        [r3.rollout.id]: { cap: 0, state: "paused" },
      });
      await store.updateRollout(r3.rollout.id, { state: "ended", cap: null, reason: null }, {
        from: ["paused"],
      });
      assert.deepEqual(Object.keys(await store.rolloutHolds(apps)), [r2.rollout.id]);
      assert.deepEqual({ ...await store.rolloutHolds([]) }, {});
      // a device with nothing installed: its inventory's `tracked` (stored as no apps) still names the
      // app and ref whose holds it gets; a second ref of a name too
      const [fresh] = await enrolledDevices(store, 1);
      const tracked = parseInventory({
        ...inventory([]),
        tracked: [{ name: A, ref: "main" }, { name: A, ref: "beta" }],
      });
      await store.recordCheckIn(fresh!.id, tracked, { counter: 2 });
      assert.deepEqual((await store.getDevice(fresh!.id))?.apps, []);
      assert.deepEqual({ ...await store.rolloutHolds(trackedRefs(tracked)) }, {
        [r2.rollout.id]: { cap: 0, state: "halted" },
        [other.rollout.id]: { cap: 0, state: "paused" },
      });
    },
  },
  {
    name: "rollouts: pages after a cursor in the list's order (newest first, then serial, then id)",
    async run(store) {
      const commit = (n: number) => String(n).repeat(7);
      // one ref each (none supersedes another); two registered together (one created_at: by serial),
      // three later; one halted
      const release = (n: number) => rolloutRelease(commit(n), n, `r${n}`);
      await store.syncRollouts([release(1), release(2)], { now: T0 });
      const later = [3, 4, 5].map(release);
      await store.syncRollouts(later, { now: minutes(1) });
      await store.updateRollout(later[1]!.rollout.id, { state: "halted", cap: 0, reason: "x" }, {
        from: ["running"],
      });
      const all = (await store.listRollouts()).map((r) => r.id);
      assert.deepEqual(all, [5, 4, 3, 2, 1].map((n) => `acme:radio:r${n}:${n}:${commit(n)}`));
      const pages = async (filter: { states?: ("running" | "halted")[] }) => {
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.listRollouts({ ...filter, limit: 2, ...(cursor ? { cursor } : {}) });
          seen.push(...page.map((r) => r.id));
          cursor = page.length === 2 ? page[1]!.id : undefined;
        } while (cursor && seen.length < 20);
        return seen;
      };
      assert.deepEqual(await pages({}), all);
      assert.deepEqual(await pages({ states: ["running"] }), all.filter((_, i) => i !== 1));
      assert.deepEqual(await store.listRollouts({ cursor: all[4]! }), [], "after the last: nothing");
      assert.deepEqual(await store.listRollouts({ cursor: "acme:nope:main:1:0000000" }), [], "unknown");
    },
  },
];
