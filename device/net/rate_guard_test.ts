import assert from "node:assert/strict";
import { RateGuard } from "./rate_guard.ts";
import { SlowRetrievalError } from "./slow_retrieval_error.ts";

const guard = (minRate = 1000, windowMs = 1000) => new RateGuard({ minRate, windowMs, name: "x.json" });

Deno.test("RateGuard judges a window only once it is full of waiting", () => {
  const g = guard();
  g.record(1, 400);
  g.record(1, 500); // 900 ms of waiting, 2 bytes: not judged yet
  assert.throws(() => g.record(1, 200), SlowRetrievalError); // 1.1 s, 3 bytes: 2.7 B/s < 1000
});

Deno.test("RateGuard passes a window at the minimum rate and starts the next from zero", () => {
  const g = guard();
  g.record(1000, 1000); // exactly 1000 B/s
  g.record(0, 500); // the new window has 0 bytes but is only half full
  assert.throws(() => g.record(0, 600), /slower than 1000 bytes\/s over 1 s/);
});

Deno.test("RateGuard.check() counts a wait in progress; msLeft() says when it would fail", () => {
  const g = guard(1000, 1000);
  g.record(100, 200);
  assert.equal(g.msLeft(0), 800);
  g.check(799);
  assert.throws(() => g.check(800), SlowRetrievalError);
  // bytes ahead of the rate push the failure past the window: 5000 bytes last 5 s at 1000 B/s
  const ahead = guard(1000, 1000);
  ahead.record(5000, 100);
  assert.equal(ahead.msLeft(0), 4900);
  ahead.check(4900);
  assert.throws(() => ahead.check(4901), SlowRetrievalError);
});

Deno.test("RateGuard with minRate 0 never refuses", () => {
  const g = guard(0);
  assert.equal(g.enabled, false);
  g.record(0, 1e9);
  g.check(1e9);
  assert.equal(g.msLeft(1e9), Infinity);
});

Deno.test("RateGuard refuses bad settings with RangeError", () => {
  assert.throws(() => guard(-1), RangeError);
  assert.throws(() => guard(1, 0), RangeError);
  assert.throws(() => guard(Number.NaN), RangeError);
});

Deno.test("RateGuard.forPolicy() takes the policy's rate and window, else 4096 B/s over 30 s", () => {
  const d = RateGuard.forPolicy({}, "x");
  assert.equal(d.msLeft(0), 30_000);
  d.record(4096 * 30, 30_000); // exactly the default rate
  const p = RateGuard.forPolicy({ minRate: 10, rateWindowMs: 100 }, "x");
  assert.throws(() => p.record(0, 100), SlowRetrievalError);
});
