import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { rolloutBucket } from "./rollout_bucket.ts";

/** Device ids shaped like core/fleet's: `d_` + 32 hex digits. */
const DEVICES = Array.from(
  { length: 10_000 },
  (_, i) => `d_${createHash("sha256").update(`device ${i}`).digest("hex").slice(0, 32)}`,
);

/** The documented formula, computed with node:crypto and BigInt: the edge must compute the same. */
function reference(rolloutId: string, deviceId: string): number {
  const digest = createHash("sha256").update(`${rolloutId}\n${deviceId}`, "utf8").digest();
  return Number(digest.readBigUInt64BE(0) >> 11n) / 2 ** 53 * 100;
}

/** Pearson's chi-square of the buckets over `bins` equal bins. */
function chiSquare(buckets: number[], bins: number): number {
  const counts = new Array<number>(bins).fill(0);
  for (const b of buckets) counts[Math.floor(b / (100 / bins))]! += 1;
  const expected = buckets.length / bins;
  return counts.reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
}

// chi-square with 19 degrees of freedom: P(X > 43.82) = 0.001
const CRITICAL_19_DF = 43.82;

Deno.test("rolloutBucket() is the first 53 bits of sha256(rolloutId \\n deviceId) mapped onto [0, 100)", () => {
  for (const [r, d] of [["acme:radio:main:7:0123abc", DEVICES[0]!], ["r1", "d_1"], ["é/ü", "d_x"]] as const) {
    assert.equal(rolloutBucket(r, d), reference(r, d), `${r} ${d}`);
  }
  assert.equal(rolloutBucket("r1", "d_1"), rolloutBucket("r1", "d_1"));
});

Deno.test("rolloutBucket() spreads 10,000 devices uniformly (chi-square over 20 bins, p > 0.001)", () => {
  for (const rolloutId of ["acme:radio:main:7:0123abc", "acme:radio:main:8:4567def"]) {
    const buckets = DEVICES.map((d) => rolloutBucket(rolloutId, d));
    assert.ok(buckets.every((b) => b >= 0 && b < 100));
    const x2 = chiSquare(buckets, 20);
    assert.ok(x2 < CRITICAL_19_DF, `${rolloutId}: chi-square ${x2.toFixed(2)}`);
    const first5 = buckets.filter((b) => b < 5).length;
    assert.ok(first5 > 400 && first5 < 600, `${first5} of 10,000 below 5`);
  }
  // the statistic does see a skew: the same ids squeezed into [0, 95)
  const skewed = DEVICES.map((d) => rolloutBucket("r1", d) * 0.95);
  assert.ok(chiSquare(skewed, 20) > CRITICAL_19_DF);
});

Deno.test("rolloutBucket() draws a fresh order per rollout id: the first 5% of one are mostly not the next's", () => {
  const first = (id: string) => new Set(DEVICES.filter((d) => rolloutBucket(id, d) < 5));
  const a = first("acme:radio:main:7:0123abc"), b = first("acme:radio:main:8:4567def");
  const both = [...a].filter((d) => b.has(d)).length;
  assert.ok(both < 60, `${both} devices first in both (about 25 expected by chance)`);
});

Deno.test("rolloutBucket() refuses empty ids and ids holding a line feed (the separator) with TypeError", () => {
  assert.throws(() => rolloutBucket("", "d_1"), /rolloutId must be a non-empty one-line string/);
  assert.throws(() => rolloutBucket("r1", ""), /deviceId/);
  assert.throws(() => rolloutBucket("r1\nd", "x"), TypeError);
  assert.throws(() => rolloutBucket("r1", 5 as unknown as string), TypeError);
});
