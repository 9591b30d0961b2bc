import assert from "node:assert/strict";
import { RateLimiter } from "./rate_limiter.ts";

Deno.test("RateLimiter: a burst, then the sustained rate; each key has its own bucket", () => {
  const limiter = new RateLimiter({ burst: 3, perMinute: 6 }); // one token per 10 s
  for (let i = 0; i < 3; i++) assert.equal(limiter.take("a", 0), 0);
  assert.equal(limiter.take("a", 0), 10_000);
  assert.equal(limiter.take("a", 4_000), 6_000, "refilling: 0.4 of a token so far");
  assert.equal(limiter.take("a", 10_000), 0);
  assert.equal(limiter.take("a", 10_000), 10_000);
  assert.equal(limiter.take("b", 10_000), 0);
  assert.equal(limiter.take("a", 1_000_000), 0, "a long pause refills to the burst, not beyond");
  assert.equal(limiter.take("a", 1_000_000), 0);
  assert.equal(limiter.take("a", 1_000_000), 0);
  assert.ok(limiter.take("a", 1_000_000) > 0);
});

Deno.test("RateLimiter: perMinute 0 never refills; bad options are RangeErrors", () => {
  const limiter = new RateLimiter({ burst: 1, perMinute: 0 });
  assert.equal(limiter.take("a", 0), 0);
  assert.equal(limiter.take("a", 1e12), Infinity);
  assert.throws(() => new RateLimiter({ burst: 0, perMinute: 1 }), RangeError);
  assert.throws(() => new RateLimiter({ burst: 1, perMinute: -1 }), RangeError);
  assert.throws(() => new RateLimiter({ burst: 1, perMinute: 1, maxKeys: 0 }), RangeError);
});

Deno.test("RateLimiter: memory is bounded; refilled buckets go first, so a limited key stays limited", () => {
  const limiter = new RateLimiter({ burst: 2, perMinute: 60, maxKeys: 100 });
  limiter.take("flood", 0);
  limiter.take("flood", 0);
  for (let i = 0; i < 99; i++) limiter.take(`k${i}`, 0);
  assert.equal(limiter.size, 100);
  // 10 s later every other bucket has refilled; "flood" (taken again each second) has not.
  for (let t = 1000; t <= 10_000; t += 1000) assert.equal(limiter.take("flood", t), 0);
  assert.ok(limiter.take("flood", 10_000) > 0);
  limiter.take("new", 10_000);
  assert.equal(limiter.size, 2, "the refilled buckets were dropped");
  assert.ok(limiter.take("flood", 10_000) > 0, "the limited key is still limited");
  // Full of busy keys: the oldest tenth goes.
  const busy = new RateLimiter({ burst: 1, perMinute: 1, maxKeys: 100 });
  for (let i = 0; i < 100; i++) busy.take(`k${i}`, 0);
  busy.take("new", 0);
  assert.equal(busy.size, 91);
  assert.ok(busy.take("k99", 0) > 0, "a recent key keeps its bucket");
});
