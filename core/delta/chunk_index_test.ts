import assert from "node:assert/strict";
import { IntegrityError } from "../errors.ts";
import { type ChunkIndex, decodeChunkIndex, encodeChunkIndex } from "./chunk_index.ts";
import { DEFAULT_CHUNKER } from "./chunker_params.ts";

const K = 1024;
function sample(): ChunkIndex {
  const chunks = [0, 1, 2].map((i) => ({
    sha256: String(i).repeat(64),
    offset: i * 20 * K,
    length: i === 2 ? 100 : 20 * K,
    packOffset: i * 1000,
    packLength: i === 2 ? 50 : 1000,
  }));
  return {
    chunker: { ...DEFAULT_CHUNKER },
    compression: "gzip",
    length: 40 * K + 100,
    sha256: "ab".repeat(32),
    packLength: 2050,
    chunks,
  };
}

Deno.test("decodeChunkIndex(encodeChunkIndex(x)) is x; 48 bytes an entry", () => {
  const bytes = encodeChunkIndex(sample());
  assert.deepEqual(decodeChunkIndex(bytes), sample());
  const empty = { ...sample(), length: 0, packLength: 0, chunks: [] };
  assert.deepEqual(decodeChunkIndex(encodeChunkIndex(empty)), empty);
  assert.equal(bytes.length - 12 - new DataView(bytes.buffer).getUint32(8), 3 * 48);
});

Deno.test("decodeChunkIndex refuses malformed encodings with SyntaxError", () => {
  const good = encodeChunkIndex(sample());
  const bad = (mutate: (b: Uint8Array) => Uint8Array) => mutate(good.slice());
  for (
    const b of [
      bad((b) => (b[0] = 0x41, b)),
      bad((b) => b.subarray(0, b.length - 1)),
      bad((b) => Uint8Array.of(...b, 0)),
      bad((b) => (new DataView(b.buffer).setUint32(8, 1 << 30), b)),
      bad((b) => (b[13] = 0x7b, b)), // header JSON broken
      encodeChunkIndex({ ...sample(), compression: "zstd" as "gzip" }),
      encodeChunkIndex({ ...sample(), sha256: "AB".repeat(32) }),
      encodeChunkIndex({ ...sample(), chunker: { ...DEFAULT_CHUNKER, avg: 3000 } }),
      new Uint8Array(4),
    ]
  ) assert.throws(() => decodeChunkIndex(b), SyntaxError);
});

Deno.test("decodeChunkIndex refuses entries that disagree with the header with IntegrityError", () => {
  const s = sample();
  for (
    const index of [
      { ...s, length: s.length + 1 },
      { ...s, packLength: 1000 }, // entries lie beyond the pack
      { ...s, chunks: s.chunks.map((c, i) => (i === 0 ? { ...c, length: 100 } : c)), length: 20 * K + 200 },
      { ...s, chunks: s.chunks.map((c, i) => (i === 2 ? { ...c, length: 0 } : c)), length: 40 * K },
      { ...s, chunks: s.chunks.map((c, i) => (i === 2 ? { ...c, packLength: 0 } : c)) },
    ]
  ) assert.throws(() => decodeChunkIndex(encodeChunkIndex(index)), IntegrityError);
});
