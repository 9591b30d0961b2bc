import assert from "node:assert/strict";
import { planDelta } from "./plan_delta.ts";

const chunk = (name: string, i: number, packOffset = i * 100) => ({
  sha256: name.repeat(64),
  offset: i * 1000,
  length: 1000,
  packOffset,
  packLength: 100,
});

Deno.test("planDelta copies what the seed holds and fetches the rest in coalesced ranges", () => {
  const index = { chunks: ["a", "b", "c", "d", "e", "f"].map((n, i) => chunk(n, i)) };
  const seed = [
    { sha256: "c".repeat(64), offset: 5000, length: 1000 },
    { sha256: "f".repeat(64), offset: 0, length: 1000 },
  ];
  const plan = planDelta(index, seed);
  assert.deepEqual(plan.copies.map((c) => [c.chunk.sha256[0], c.seedOffset]), [["c", 5000], ["f", 0]]);
  assert.deepEqual(plan.fetches.map((f) => [f.offset, f.length, f.entries.length]), [[0, 200, 2], [
    300,
    200,
    2,
  ]]);
  assert.equal(plan.fetchBytes, 400);
  assert.equal(plan.copyBytes, 2000);
});

Deno.test("planDelta fetches a repeated chunk's pack entry once and splits ranges at maxRange", () => {
  const index = { chunks: [chunk("a", 0), chunk("b", 1), chunk("a", 2, 0), chunk("c", 3, 200)] };
  const plan = planDelta(index, [], { maxRange: 200 });
  assert.equal(plan.fetched.length, 4);
  assert.deepEqual(plan.fetches.map((f) => [f.offset, f.length]), [[0, 200], [200, 100]]);
  assert.equal(plan.fetchBytes, 300);
});

Deno.test("planDelta ignores a seed chunk whose length disagrees", () => {
  const plan = planDelta({ chunks: [chunk("a", 0)] }, [{ sha256: "a".repeat(64), offset: 0, length: 999 }]);
  assert.equal(plan.copies.length, 0);
  assert.equal(plan.fetches.length, 1);
});
