import assert from "node:assert/strict";
import { createRollout, type Rollout, rolloutBucket } from "../../core/rollout/mod.ts";
import type { Status } from "../fs/workspace.ts";
import type { Offer, Offers } from "./offers.ts";
import { type PlanInputs, planUpdate, recordFor } from "./plan.ts";
import type { RolloutInputs } from "./choose_offer.ts";
import type { App } from "./scan_apps.ts";

const PUBLISHED = new Date("2026-03-01T12:00:00Z");
const NOW = new Date("2026-03-01T13:00:00Z");
const EXPIRES = new Date("2026-03-02T12:00:00Z");
const C = { a: "aaaaaaa1", b: "bbbbbbb2", c: "ccccccc3" };
const SERIAL: Record<string, number> = { [C.a]: 1, [C.b]: 2, [C.c]: 3 };

const at5 = (id: string): Rollout => createRollout({ id, publishedAt: PUBLISHED, steps: "5,25@24h,100@72h" });

function app(commit: string | null, serial?: number): App {
  const base = { dir: "/t/radio", dirName: "radio", name: "acme/radio", ref: "main" };
  if (commit === null) return { ...base, commit: null };
  const deploy = { name: base.name, ref: "main", commit, serial: serial ?? SERIAL[commit] };
  const current = {
    id: `${deploy.serial}-${commit}`,
    path: "/t/radio/releases/x",
    link: "releases/x",
    deploy,
  };
  return { ...base, commit, deploy, current };
}

function offer(commit: string, rollout?: Rollout, serial = SERIAL[commit]): Offer {
  return {
    name: "acme/radio",
    ref: "main",
    commit,
    serial,
    url: new URL(`http://127.0.0.1/targets/${commit}.tar.gz`),
    expected: { length: 10, sha256: commit[0]!.repeat(64) },
    key: commit[0]!.repeat(64),
    origin: `apps/acme/radio/main/${commit}.tar.gz`,
    ...(rollout ? { rollout } : {}),
  };
}

/** Offers newest first, as TUF offers list them. */
function offering(list: Offer[], timestampExpires = EXPIRES): Offers {
  return { mode: "tuf", find: () => list[0], releases: () => list, timeBounds: { timestampExpires } };
}

/** A device id whose bucket in every rollout named is at least 5 (outside a 5% step). */
const outside = (...ids: string[]) =>
  Array.from({ length: 1000 }, (_, i) => `d_${i}`).find((d) => ids.every((id) => rolloutBucket(id, d) >= 5))!;
const inside = (id: string) =>
  Array.from({ length: 10_000 }, (_, i) => `d_${i}`).find((d) => rolloutBucket(id, d) < 5)!;

function inputs(
  offers: Offers,
  rollout: Partial<RolloutInputs> & { deviceId: string },
  records = [] as ReturnType<typeof recordFor>[],
): PlanInputs {
  const status: Status = { version: 1, apps: {} };
  return { offers, pending: { manifests: records, problems: [] }, status, rollout: { now: NOW, ...rollout } };
}

const planOf = (a: App, i: PlanInputs) => planUpdate({ apps: [a], problems: [] }, i).apps[0]!;

Deno.test("plan: a device outside the rollout's bucket is held back on its release, and says why", () => {
  const offers = offering([offer(C.b, at5("r2")), offer(C.a)]);
  const deviceId = outside("r2");
  const record = recordFor(app(C.a), offer(C.b, at5("r2")), "tuf");
  const held = planOf(app(C.a), inputs(offers, { deviceId }, [record]));
  assert.equal(held.action, "held-back");
  assert.equal(held.release, undefined);
  assert.equal(held.dropRecord, true, "a release downloaded earlier is not installed");
  assert.equal(held.offer?.commit, C.a, "the installed release is what it keeps");
  assert.deepEqual(
    [
      held.rollout?.id,
      held.rollout?.commit,
      held.rollout?.included,
      held.rollout?.percentNow,
      held.rollout?.cap,
    ],
    ["r2", C.b, false, 5, null],
  );
  assert.equal(held.rollout?.bucket, rolloutBucket("r2", deviceId));
  assert.match(
    held.rollout?.reason ?? "",
    /^held back by rollout r2: bucket [\d.]+, at 5% now, 25% from 2026-03-02T12:00:00.000Z$/,
  );
});

Deno.test("plan: a device inside the bucket, or a canary, installs the release under rollout", () => {
  const offers = offering([offer(C.b, at5("r2")), offer(C.a)]);
  for (
    const rollout of [{ deviceId: inside("r2") }, { deviceId: outside("r2"), cohort: "canary" as const }]
  ) {
    const entry = planOf(app(C.a), inputs(offers, rollout));
    assert.equal(entry.action, "install");
    assert.equal(entry.release?.commit, C.b);
    assert.equal(entry.rollout?.included, true);
    assert.match(entry.rollout?.reason ?? "", /^in rollout r2: /);
  }
  const later = planOf(
    app(C.a),
    inputs(offering([offer(C.b, at5("r2")), offer(C.a)], new Date("2026-03-05T00:00:00Z")), {
      deviceId: outside("r2"),
      now: new Date("2026-03-04T12:00:00Z"),
    }),
  );
  assert.equal(later.action, "install", "the 100% step includes everyone");
});

Deno.test("plan: a new device takes the newest release that includes it, never nothing while the newest is at 5%", () => {
  const deviceId = outside("r3", "r2");
  const fallback = planOf(
    app(null),
    inputs(offering([offer(C.c, at5("r3")), offer(C.b), offer(C.a)]), { deviceId }),
  );
  assert.equal(fallback.action, "install");
  assert.equal(fallback.release?.commit, C.b);
  assert.deepEqual(
    [fallback.rollout?.id, fallback.rollout?.included],
    ["r3", false],
    "it says what it passed over",
  );
  // an installed older release: the same fallback, as an update
  assert.equal(
    planOf(app(C.a), inputs(offering([offer(C.c, at5("r3")), offer(C.b), offer(C.a)]), { deviceId })).release
      ?.commit,
    C.b,
  );
  // every release held back: nothing to install yet
  const none = planOf(
    app(null),
    inputs(offering([offer(C.c, at5("r3")), offer(C.b, at5("r2"))]), { deviceId }),
  );
  assert.deepEqual([none.action, none.release, none.rollout?.id], ["held-back", undefined, "r3"]);
});

Deno.test("plan: a withdrawn release (halted, cap 0) is skipped by devices that lack it and kept by those that run it", () => {
  const offers = offering([offer(C.b, at5("r2")), offer(C.a)]);
  const holds = { r2: { cap: 0, state: "halted" as const } };
  const canary = { deviceId: outside("r2"), cohort: "canary" as const, holds };
  const lacking = planOf(app(C.a), inputs(offers, canary, [recordFor(app(C.a), offer(C.b), "tuf")]));
  assert.deepEqual([lacking.action, lacking.dropRecord, lacking.rollout?.withdrawn], [
    "held-back",
    true,
    true,
  ]);
  assert.equal(lacking.rollout?.reason, "withdrawn by the edge: rollout r2 is halted");
  const fresh = planOf(app(null), inputs(offers, canary));
  assert.deepEqual(
    [fresh.action, fresh.release?.commit],
    ["install", C.a],
    "a new device takes the release before",
  );
  const running = planOf(app(C.b), inputs(offers, canary));
  assert.equal(running.action, "up-to-date", "no downgrade: the device keeps what it runs");
  assert.equal(running.rollout?.included, false);
});

Deno.test("plan: the edge's cap only lowers: cap 100 never widens a 5% step, cap 0 holds back", () => {
  const offers = offering([offer(C.b, at5("r2")), offer(C.a)]);
  const deviceId = outside("r2");
  const wide = planOf(app(C.a), inputs(offers, { deviceId, holds: { r2: { cap: 100, state: "running" } } }));
  assert.equal(wide.action, "held-back");
  assert.deepEqual([wide.rollout?.cap, wide.rollout?.effectivePercent, wide.rollout?.percentNow], [
    100,
    5,
    5,
  ]);
  const paused = planOf(
    app(C.a),
    inputs(offers, { deviceId: inside("r2"), holds: { r2: { cap: 0, state: "paused" } } }),
  );
  assert.equal(paused.action, "held-back");
  assert.match(paused.rollout?.reason ?? "", /^held back by the edge in rollout r2: .*capped to 0%$/);
  assert.equal(paused.rollout?.withdrawn, false);
});

Deno.test("plan: a device clock ahead is held to the signed timestamp's expiry, so it cannot reach a later step", () => {
  const rollout = createRollout({ id: "r2", publishedAt: PUBLISHED, steps: "5,100@24h" });
  const deviceId = outside("r2");
  const future = { deviceId, now: new Date("2031-01-01T00:00:00Z") };
  const bounded = planOf(
    app(C.a),
    inputs(offering([offer(C.b, rollout), offer(C.a)], new Date("2026-03-02T00:00:00Z")), future),
  );
  assert.deepEqual([bounded.action, bounded.rollout?.percentNow], ["held-back", 5]);
  const expiresLater = offering([offer(C.b, rollout), offer(C.a)], new Date("2026-03-03T00:00:00Z"));
  assert.equal(
    planOf(app(C.a), inputs(expiresLater, future)).action,
    "install",
    "past the step within the bound",
  );
});

Deno.test("plan: an older release than the installed one ends the search (no downgrade), releases without rollouts plan as before", () => {
  const deviceId = outside("r3");
  const installed = app("9999999", 5); // serial 5, no longer listed
  const held = planOf(
    installed,
    inputs(offering([offer(C.c, at5("r3"), 7), offer(C.a, undefined, 4)]), { deviceId }),
  );
  assert.deepEqual([held.action, held.held, held.release], ["held-back", undefined, undefined]);
  const plain = planOf(app(C.a), inputs(offering([offer(C.b), offer(C.a)]), { deviceId }));
  assert.deepEqual([plain.action, plain.release?.commit, plain.rollout], ["install", C.b, undefined]);
  // without the device's side, a rollout is never decided as "everyone"
  const bare = { ...inputs(offering([offer(C.b, at5("r2"))]), { deviceId }), rollout: undefined };
  assert.throws(() => planOf(app(C.a), bare), /Cannot plan acme\/radio: its releases have rollouts/);
});
