import assert from "node:assert/strict";
import { ChunkDigestStream } from "./chunk_digest_stream.ts";
import { ChunkStream } from "./chunk_stream.ts";
import { DEFAULT_CHUNKER } from "./chunker_params.ts";

/** Deterministic pseudo-random bytes (xorshift32). */
function noise(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Chunk digests of `bytes`, fed in pieces of `piece` bytes. */
async function chunks(bytes: Uint8Array, piece = 65_537) {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += piece) parts.push(bytes.slice(i, i + piece));
  return await Array.fromAsync(
    ReadableStream.from(parts).pipeThrough(new ChunkStream()).pipeThrough(new ChunkDigestStream()),
  );
}

function shared(a: { sha256: string }[], b: { sha256: string }[]): number {
  const set = new Set(a.map((c) => c.sha256));
  return b.filter((c) => set.has(c.sha256)).length;
}

Deno.test("ChunkStream covers the stream with chunks within min..max, whatever the input pieces", async () => {
  const bytes = noise(3_000_000);
  const a = await chunks(bytes, 1000);
  const b = await chunks(bytes, 1_000_003);
  assert.deepEqual(a.map((c) => [c.offset, c.sha256]), b.map((c) => [c.offset, c.sha256]));
  let offset = 0;
  for (const [i, c] of a.entries()) {
    assert.equal(c.offset, offset);
    assert.ok(c.bytes.length <= DEFAULT_CHUNKER.max);
    if (i < a.length - 1) assert.ok(c.bytes.length >= DEFAULT_CHUNKER.min);
    offset += c.bytes.length;
  }
  assert.equal(offset, bytes.length);
  const mean = bytes.length / a.length;
  assert.ok(mean > 40_000 && mean < 110_000, `mean chunk ${mean}`);
});

Deno.test("ChunkStream boundaries are stable under a 1-byte insertion and a deletion in the middle", async () => {
  const bytes = noise(4_000_000, 7);
  const base = await chunks(bytes);
  const mid = 2_000_000;
  const inserted = new Uint8Array(bytes.length + 1);
  inserted.set(bytes.subarray(0, mid));
  inserted[mid] = 42;
  inserted.set(bytes.subarray(mid), mid + 1);
  const ins = await chunks(inserted);
  assert.ok(base.length - shared(base, ins) <= 2, `${base.length - shared(base, ins)} chunks changed`);
  const deleted = new Uint8Array(bytes.length - 1000);
  deleted.set(bytes.subarray(0, mid));
  deleted.set(bytes.subarray(mid + 1000), mid);
  const del = await chunks(deleted);
  assert.ok(base.length - shared(base, del) <= 2, `${base.length - shared(base, del)} chunks changed`);
});

Deno.test("ChunkStream cuts runs of one byte value at max", async () => {
  const out = await chunks(new Uint8Array(1_000_000));
  assert.ok(out.slice(0, -1).every((c) => c.bytes.length === DEFAULT_CHUNKER.max));
  assert.equal(new Set(out.slice(0, -1).map((c) => c.sha256)).size, 1);
});

Deno.test("ChunkStream emits nothing for an empty stream and one chunk for a short one", async () => {
  assert.equal((await chunks(new Uint8Array(0))).length, 0);
  assert.equal((await chunks(noise(100))).length, 1);
});
