import assert from "node:assert/strict";
import { createRollout } from "../../core/rollout/mod.ts";
import { createApp } from "../app.ts";
import { createDevRepository } from "../dev_repository.ts";
import type { FleetSource } from "../fleet/routes/fleet_routes.ts";
import { SqliteFleetStore } from "../fleet/sqlite_fleet_store.ts";
import { FsStorage } from "../storage/fs_storage.ts";
import { fixtureKeys } from "../../test/edge/fixture.ts";
import { OPERATOR_TOKEN } from "../../test/edge/fleet_suite.ts";
import { operator } from "../../test/edge/fleet_suite_device.ts";

const A = "acme/radio";
const C1 = "1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const C2 = "2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const T0 = new Date("2026-03-01T12:00:00.000Z");
const HOUR = 3_600_000;
const ID = `acme:radio:main:2:${C2}`;

/** An edge serving C1 (no rollout) and C2 (rollout `steps` from T0) of acme/radio main. */
async function edge(steps: string, fleet?: "store" | FleetSource) {
  const dir = await Deno.makeTempDir({ prefix: "releases-route-" });
  const storage = new FsStorage(`${dir}/repo`);
  const rollout = createRollout({ id: ID, publishedAt: T0, steps });
  await createDevRepository(storage, {
    keys: await fixtureKeys(),
    now: T0,
    content: {
      deviceTypes: [{ slug: "raspberrypi4-64", aliases: [] }],
      apps: [
        { name: A, ref: "main", commit: C1, files: { a: "1" } },
        { name: A, ref: "main", commit: C2, files: { a: "2" }, rollout },
      ],
      images: [],
    },
  });
  const store = fleet === "store" ? await SqliteFleetStore.open(`${dir}/fleet.sqlite`) : undefined;
  const clock = { now: T0.getTime() + 60_000 };
  const logged: string[] = [];
  const app = createApp({
    storage,
    ...(fleet === undefined ? {} : { fleet: store ?? fleet as FleetSource }),
    config: { operatorToken: OPERATOR_TOKEN, clock: () => clock.now, log: (line) => logged.push(line) },
  });
  const fetch = async (path: string, init?: RequestInit) => await app.request(path, init);
  return {
    store,
    fetch,
    clock,
    logged,
    /** The commit `/releases` (and `GET /` as JSON) offers legacy clients for acme/radio main. */
    async legacy(): Promise<string | undefined> {
      const [releases, root] = await Promise.all([fetch("/releases"), fetch("/")]);
      assert.equal(releases.status, 200);
      const doc = await releases.json();
      assert.deepEqual(await root.json(), doc, "GET / answers the same document");
      return doc[A]?.main?.commit;
    },
    async [Symbol.asyncDispose]() {
      await store?.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("GET /releases offers a staged release to legacy clients only once its signed rollout is at 100%", async () => {
  await using e = await edge("10,50@1h,100@2h");
  assert.equal(await e.legacy(), C1, "at 10%: legacy clients have no identity, none of them gets it");
  e.clock.now = T0.getTime() + 1.5 * HOUR;
  assert.equal(await e.legacy(), C1, "at 50%");
  e.clock.now = T0.getTime() + 2 * HOUR;
  assert.equal(await e.legacy(), C2, "at 100%");
  // the edge's clock is bounded by the served timestamp's expiry (a day), as a device's is
  await using late = await edge("10,100@48h");
  late.clock.now = T0.getTime() + 72 * HOUR;
  assert.equal(await late.legacy(), C1, "a clock past the timestamp's expiry does not widen the rollout");
});

Deno.test("GET /releases never offers a rollout the operator paused or the halt rule halted", async () => {
  await using e = await edge("10,100@1h", "store");
  const op = operator(e.fetch);
  assert.equal((await op.post(`/v1/fleet/rollouts/${ID}/pause`)).status, 200);
  assert.equal(await e.legacy(), C1, "paused at 10%: the release at 100%");
  e.clock.now = T0.getTime() + HOUR;
  // at 100% some legacy clients may run it: the ref is left out rather than an older release offered
  assert.equal(await e.legacy(), undefined, "paused at 100%: not offered, nor anything older");
  assert.equal((await op.post(`/v1/fleet/rollouts/${ID}/resume`)).status, 200);
  assert.equal(await e.legacy(), C2, "resumed at 100%");
  const halt = { state: "halted", cap: 0, reason: "halt: test" } as const;
  assert.ok(await e.store!.updateRollout(ID, halt, { from: ["running"], now: new Date(e.clock.now) }));
  assert.equal(await e.legacy(), undefined, "halted at 100%");
  e.clock.now = T0.getTime() + 60_000;
  assert.equal(await e.legacy(), C1, "halted at 10%");
  assert.equal((await op.post(`/v1/fleet/rollouts/${ID}/end`)).status, 200);
  e.clock.now = T0.getTime() + HOUR;
  assert.equal(await e.legacy(), C2, "ended: the signed percent alone");
});

Deno.test("GET /releases holds every rollout back from legacy clients when the fleet store fails", async () => {
  await using e = await edge("100", () => Promise.reject(new Error("database down")));
  assert.equal(await e.legacy(), undefined, "a rollout the edge cannot tell is held is not offered");
  assert.ok(
    e.logged.some((l) => /^Cannot read rollout holds for \/releases /.test(l)),
    e.logged.join("\n"),
  );
  await using bare = await edge("100");
  assert.equal(await bare.legacy(), C2, "an edge without a fleet: the signed steps alone");
});
