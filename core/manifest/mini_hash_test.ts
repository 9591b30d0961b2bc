import assert from "node:assert/strict";
import { computeMiniHash, miniHash, miniHashOfBytes, miniHashRanges } from "./mini_hash.ts";
import { bytesOf } from "./_test_signing.ts";

Deno.test("miniHash() over range reads equals miniHashOfBytes() and reads only head and tail", async () => {
  const b = bytesOf(1, 1_000_000);
  const reads: number[] = [];
  const h = await miniHash(b.length, (o, n) => {
    reads.push(n);
    return Promise.resolve(b.subarray(o, o + n));
  });
  assert.equal(h, miniHashOfBytes(b));
  assert.deepEqual(reads, [65536, 65536]);
});

Deno.test("miniHashOfBytes() changes with size, head and tail but not with the middle of a large file", () => {
  const b = bytesOf(2, 300_000);
  const base = miniHashOfBytes(b);
  const mid = b.slice();
  mid[150_000]! ^= 1;
  assert.equal(miniHashOfBytes(mid), base);
  const head = b.slice();
  head[0]! ^= 1;
  assert.notEqual(miniHashOfBytes(head), base);
  const tail = b.slice();
  tail[tail.length - 1]! ^= 1;
  assert.notEqual(miniHashOfBytes(tail), base);
  assert.notEqual(miniHashOfBytes(b.subarray(0, b.length - 1)), base);
});

Deno.test("miniHashRanges() never overlaps head and tail and covers small files whole", () => {
  assert.deepEqual(miniHashRanges(100_000), {
    head: { offset: 0, length: 65536 },
    tail: { offset: 65536, length: 34464 },
  });
  assert.deepEqual(miniHashRanges(0).head.length, 0);
  assert.throws(() => miniHashRanges(-1), RangeError);
  assert.throws(() => computeMiniHash(10, new Uint8Array(9), new Uint8Array()), RangeError);
});

Deno.test("miniHashOfBytes() is stable (version 1 definition)", () => {
  // sha256("drover-mini-hash-v1\n" + u64be(3) + "abc")
  assert.equal(miniHashOfBytes(new TextEncoder().encode("abc")).length, 64);
  const data = new Uint8Array([
    ...new TextEncoder().encode("drover-mini-hash-v1\n"),
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    3,
    97,
    98,
    99,
  ]);
  return crypto.subtle.digest("SHA-256", data).then((d) => {
    const hex = [...new Uint8Array(d)].map((x) => x.toString(16).padStart(2, "0")).join("");
    assert.equal(miniHashOfBytes(new TextEncoder().encode("abc")), hex);
  });
});
