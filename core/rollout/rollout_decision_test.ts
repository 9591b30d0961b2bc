import assert from "node:assert/strict";
import { createRollout } from "./rollout.ts";
import { rolloutBucket } from "./rollout_bucket.ts";
import { rolloutDecision } from "./rollout_decision.ts";

const PUBLISHED = new Date("2026-03-01T12:00:00Z");
const DAY1 = new Date("2026-03-01T13:00:00Z");
const DAY2 = new Date("2026-03-02T13:00:00Z");
const rollout = createRollout({
  id: "acme:radio:main:7:0123abc",
  publishedAt: PUBLISHED,
  steps: "5,25@24h,100@72h",
});
const DEVICES = Array.from({ length: 2000 }, (_, i) => `d_${i.toString(16).padStart(32, "0")}`);
/** A device whose bucket in `rollout` lies in [lo, hi). */
const deviceIn = (lo: number, hi: number) =>
  DEVICES.find((d) => rolloutBucket(rollout.id, d) >= lo && rolloutBucket(rollout.id, d) < hi)!;

Deno.test("rolloutDecision() includes a device while its bucket is below the signed percent now", () => {
  const early = deviceIn(1, 5), middle = deviceIn(10, 25), late = deviceIn(60, 100);
  assert.equal(rolloutDecision(rollout, { deviceId: early, now: DAY1 }).included, true);
  assert.equal(rolloutDecision(rollout, { deviceId: middle, now: DAY1 }).included, false);
  assert.equal(rolloutDecision(rollout, { deviceId: middle, now: DAY2 }).included, true);
  assert.equal(rolloutDecision(rollout, { deviceId: late, now: DAY2 }).included, false);
  const done = rolloutDecision(rollout, { deviceId: late, now: new Date("2026-03-04T12:00:00Z") });
  assert.ok(done.included && done.percentNow === 100 && done.nextStep === undefined);
  const share = DEVICES.filter((d) => rolloutDecision(rollout, { deviceId: d, now: DAY2 }).included).length;
  assert.ok(share > 400 && share < 600, `${share} of 2000 in at 25%`);
});

Deno.test("rolloutDecision() reports bucket, percents, cap, next step and a reason for people", () => {
  const d = deviceIn(63, 64);
  const held = rolloutDecision(rollout, { deviceId: d, now: DAY2 });
  assert.deepEqual({ ...held, bucket: Math.floor(held.bucket) }, {
    rolloutId: rollout.id,
    included: false,
    bucket: 63,
    percentNow: 25,
    cap: null,
    effectivePercent: 25,
    nextStep: { percent: 100, at: "2026-03-04T12:00:00.000Z" },
    reason:
      `held back by rollout ${rollout.id}: bucket ${Math.floor(held.bucket * 100) / 100}, at 25% now, ` +
      "100% from 2026-03-04T12:00:00.000Z",
  });
  assert.match(held.reason, /: bucket 63\.\d{1,2}, at 25% now/);
  const inside = rolloutDecision(rollout, { deviceId: deviceIn(1, 5), now: DAY1 });
  assert.match(inside.reason, /^in rollout acme:radio:main:7:0123abc: bucket [1-4](\.\d+)?, at 5% now$/);
});

Deno.test("rolloutDecision() lets an edge cap hold back, but never widen the signed step", () => {
  const d = deviceIn(10, 25);
  const widened = rolloutDecision(rollout, { deviceId: d, now: DAY1, cap: 100 });
  assert.ok(!widened.included && widened.effectivePercent === 5 && widened.cap === 100);
  const capped = rolloutDecision(rollout, { deviceId: d, now: DAY2, cap: 10 });
  assert.ok(!capped.included && capped.effectivePercent === 10 && capped.percentNow === 25);
  assert.match(capped.reason, /^held back by the edge in rollout .*: bucket .*, at 25% now, capped to 10%$/);
  assert.equal(rolloutDecision(rollout, { deviceId: d, now: DAY2, cap: 25 }).included, true);
  const early = deviceIn(0, 5);
  assert.equal(
    rolloutDecision(rollout, { deviceId: early, now: DAY1, cap: 0 }).included,
    false,
    "cap 0 holds all",
  );
});

Deno.test("rolloutDecision() puts a canary first (bucket 0) while the effective percent is above 0", () => {
  const d = deviceIn(90, 100);
  const canary = rolloutDecision(rollout, { deviceId: d, now: DAY1, cohort: "canary" });
  assert.ok(canary.included && canary.bucket === 0 && canary.cohort === "canary");
  assert.equal(canary.reason, `in rollout ${rollout.id}: canary, at 5% now`);
  const halted = rolloutDecision(rollout, { deviceId: d, now: DAY1, cohort: "canary", cap: 0 });
  assert.ok(!halted.included && halted.effectivePercent === 0);
  assert.equal(rolloutDecision(rollout, { deviceId: d, now: DAY1 }).cohort, undefined);
});

Deno.test("rolloutDecision() refuses a cap outside [0, 100], an unknown cohort, a bad now or device id", () => {
  for (const cap of [-1, 100.5, NaN, "50" as unknown as number]) {
    assert.throws(
      () => rolloutDecision(rollout, { deviceId: "d_1", now: DAY1, cap }),
      RangeError,
      String(cap),
    );
  }
  assert.throws(
    () => rolloutDecision(rollout, { deviceId: "d_1", now: DAY1, cohort: "beta" as "canary" }),
    /unknown cohort 'beta'/,
  );
  assert.throws(() => rolloutDecision(rollout, { deviceId: "d_1", now: new Date(NaN) }), TypeError);
  assert.throws(() => rolloutDecision(rollout, { deviceId: "", now: DAY1, cohort: "canary" }), TypeError);
});
