import assert from "node:assert/strict";
import { createRollout } from "./rollout.ts";
import { percentAt } from "./percent_at.ts";

const PUBLISHED = Date.parse("2026-03-01T12:00:00Z");
const HOUR = 3_600_000;
const at = (hours: number) => new Date(PUBLISHED + hours * HOUR);
const rollout = createRollout({ id: "r1", publishedAt: new Date(PUBLISHED), steps: "5,25@24h,100@72h" });

Deno.test("percentAt() follows the signed steps: each from its start, to the millisecond", () => {
  const expected: [number, number][] = [
    [0, 5],
    [1, 5],
    [24 - 1 / HOUR, 5],
    [24, 25],
    [71.99, 25],
    [72, 100],
    [24 * 365, 100],
  ];
  for (const [hours, percent] of expected) assert.equal(percentAt(rollout, at(hours)), percent, `${hours}h`);
});

Deno.test("percentAt() applies the first step before publication (a clock behind only delays)", () => {
  assert.equal(percentAt(rollout, at(-1)), 5);
  assert.equal(percentAt(rollout, new Date(0)), 5);
});

Deno.test("percentAt() switches at the step's hour exactly, and keeps a last step below 100", () => {
  const r = createRollout({ id: "r2", publishedAt: new Date(PUBLISHED), steps: "1,10@2h" });
  assert.equal(percentAt(r, at(1.999)), 1);
  assert.equal(percentAt(r, at(2)), 10);
  assert.equal(percentAt(r, at(10_000)), 10, "stays at its last step");
});

Deno.test("percentAt() refuses an invalid now, or a rollout parseRollout would refuse, with TypeError", () => {
  assert.throws(() => percentAt(rollout, new Date(NaN)), TypeError);
  assert.throws(() => percentAt(rollout, "2026-03-01" as unknown as Date), TypeError);
  assert.throws(() => percentAt({ ...rollout, publishedAt: "soon" }, at(0)), /rollout 'r1' is malformed/);
  assert.throws(() => percentAt({ ...rollout, steps: [] }, at(0)), /rollout 'r1' is malformed/);
});
