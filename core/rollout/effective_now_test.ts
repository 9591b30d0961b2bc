import assert from "node:assert/strict";
import { effectiveNow } from "./effective_now.ts";
import { createRollout } from "./rollout.ts";
import { percentAt } from "./percent_at.ts";

const timestampExpires = new Date("2026-03-02T12:00:00Z");

Deno.test("effectiveNow() keeps a device clock that is within the signed bounds", () => {
  const now = new Date("2026-03-02T11:00:00Z");
  assert.deepEqual(effectiveNow(now, { timestampExpires }), now);
  assert.deepEqual(effectiveNow(timestampExpires, { timestampExpires }), timestampExpires);
});

Deno.test("effectiveNow() bounds a clock in the future by the timestamp's expiry, so it cannot widen a rollout", () => {
  const rollout = createRollout({
    id: "r1",
    publishedAt: new Date("2026-03-01T12:00:00Z"),
    steps: "5,25@24h,100@72h",
  });
  const future = new Date("2031-01-01T00:00:00Z");
  assert.equal(percentAt(rollout, future), 100, "what an unbounded clock would see");
  const now = effectiveNow(future, { timestampExpires });
  assert.deepEqual(now, timestampExpires);
  assert.equal(percentAt(rollout, now), 25);
});

Deno.test("effectiveNow() leaves a clock in the past alone (it only delays), unless notBefore raises it", () => {
  const past = new Date("1970-01-01T00:00:10Z");
  assert.deepEqual(effectiveNow(past, { timestampExpires }), past);
  const notBefore = new Date("2026-03-01T12:00:00Z");
  assert.deepEqual(effectiveNow(past, { timestampExpires, notBefore }), notBefore);
  const now = new Date("2026-03-02T00:00:00Z");
  assert.deepEqual(effectiveNow(now, { timestampExpires, notBefore }), now, "notBefore only raises");
  const crossed = effectiveNow(past, { timestampExpires, notBefore: new Date("2030-01-01T00:00:00Z") });
  assert.deepEqual(crossed, timestampExpires, "the upper bound wins");
});

Deno.test("effectiveNow() refuses invalid dates with TypeError", () => {
  assert.throws(() => effectiveNow(new Date(NaN), { timestampExpires }), /deviceNow must be a valid Date/);
  assert.throws(() => effectiveNow(new Date(), { timestampExpires: new Date(NaN) }), /timestampExpires/);
  assert.throws(() => effectiveNow(new Date(), {} as { timestampExpires: Date }), TypeError);
  assert.throws(
    () => effectiveNow(new Date(), { timestampExpires, notBefore: "x" as unknown as Date }),
    /notBefore/,
  );
});
