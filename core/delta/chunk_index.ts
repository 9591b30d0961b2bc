/**
 * The chunk index of an artifact's uncompressed stream, and its binary encoding (a signed TUF
 * target of its own). Layout: the magic `DRVCIDX1`, a big-endian u32 header length, the header
 * (UTF-8 JSON `{ chunker, compression, length, sha256, packLength, count }`), then `count`
 * entries of 48 bytes: sha256 of the uncompressed chunk (32), u32 length, u32 length in the pack,
 * u64 offset in the pack. Chunk offsets in the stream are the running sum of lengths.
 * {@linkcode decodeChunkIndex} is strict: `SyntaxError` for a malformed encoding, `IntegrityError`
 * when the entries disagree with the header.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeChunkIndex, encodeChunkIndex } from "./chunk_index.ts";
 * import { DEFAULT_CHUNKER } from "./chunker_params.ts";
 * const index = {
 *   chunker: { ...DEFAULT_CHUNKER }, compression: "gzip" as const, length: 5, sha256: "00".repeat(32), packLength: 25,
 *   chunks: [{ sha256: "11".repeat(32), offset: 0, length: 5, packOffset: 0, packLength: 25 }],
 * };
 * assert.deepEqual(decodeChunkIndex(encodeChunkIndex(index)), index);
 * ```
 * @module
 */
import { IntegrityError } from "../errors.ts";
import { isSha256 } from "../names/mod.ts";
import { fromHex, toHex } from "../verify/mod.ts";
import { checkChunkerParams, type ChunkerParams } from "./chunker_params.ts";

/** One chunk of the stream and where its compressed form lies in the pack. */
export interface IndexChunk {
  /** sha256 (hex) of the uncompressed bytes. */
  sha256: string;
  /** Offset in the uncompressed stream. */
  offset: number;
  length: number;
  packOffset: number;
  packLength: number;
}

/** A decoded chunk index. */
export interface ChunkIndex {
  chunker: ChunkerParams;
  /** How each chunk is compressed in the pack (one gzip member per chunk). */
  compression: "gzip";
  /** Length and sha256 of the whole uncompressed stream. */
  length: number;
  sha256: string;
  packLength: number;
  chunks: IndexChunk[];
}

const MAGIC = new TextEncoder().encode("DRVCIDX1");
const ENTRY = 48;
const MAX_HEADER = 4096;
/** gzip's worst case for an incompressible chunk stays well under this. */
const packSlack = (max: number) => max + (max >> 3) + 1024;

/** The binary form of `index`. */
export function encodeChunkIndex(index: ChunkIndex): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify({
    chunker: index.chunker,
    compression: index.compression,
    length: index.length,
    sha256: index.sha256,
    packLength: index.packLength,
    count: index.chunks.length,
  }));
  const out = new Uint8Array(MAGIC.length + 4 + header.length + ENTRY * index.chunks.length);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(MAGIC.length, header.length);
  out.set(header, MAGIC.length + 4);
  let at = MAGIC.length + 4 + header.length;
  for (const c of index.chunks) {
    out.set(fromHex(c.sha256), at);
    view.setUint32(at + 32, c.length);
    view.setUint32(at + 36, c.packLength);
    view.setBigUint64(at + 40, BigInt(c.packOffset));
    at += ENTRY;
  }
  return out;
}

const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

/** Reads a chunk index (see the module doc for what is refused). */
export function decodeChunkIndex(bytes: Uint8Array): ChunkIndex {
  const fail = (detail: string) => new SyntaxError(`Cannot read chunk index: ${detail}`);
  if (bytes.length < MAGIC.length + 4 || MAGIC.some((b, i) => bytes[i] !== b)) throw fail("bad magic");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(MAGIC.length);
  const start = MAGIC.length + 4 + headerLength;
  if (headerLength > MAX_HEADER || start > bytes.length) throw fail("bad header length");
  let h: Record<string, unknown>;
  try {
    h = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(MAGIC.length + 4, start)));
  } catch (e) {
    throw fail(`bad header: ${(e as Error).message}`);
  }
  if (typeof h !== "object" || h === null || Array.isArray(h)) throw fail("header is not an object");
  if (Object.keys(h).sort().join() !== "chunker,compression,count,length,packLength,sha256") {
    throw fail("unexpected header fields");
  }
  const chunker = checkChunkerParams(h.chunker);
  if (h.compression !== "gzip") throw fail(`unknown compression ${String(h.compression)}`);
  if (!isCount(h.length) || !isCount(h.packLength) || !isCount(h.count) || !isSha256(h.sha256)) {
    throw fail("bad length, packLength, count or sha256");
  }
  if (bytes.length !== start + ENTRY * h.count) {
    throw fail(`${h.count} entries do not fill ${bytes.length} bytes`);
  }
  const chunks: IndexChunk[] = [];
  let offset = 0;
  for (let i = 0, at = start; i < h.count; i++, at += ENTRY) {
    const length = view.getUint32(at + 32);
    const packLength = view.getUint32(at + 36);
    const packOffset = Number(view.getBigUint64(at + 40));
    const last = i === h.count - 1;
    if (length === 0 || length > chunker.max || (!last && length < chunker.min)) {
      throw new IntegrityError(`Cannot read chunk index: chunk ${i} has length ${length}`);
    }
    if (packLength === 0 || packLength > packSlack(chunker.max) || packOffset + packLength > h.packLength) {
      throw new IntegrityError(`Cannot read chunk index: chunk ${i} lies outside the pack`);
    }
    chunks.push({ sha256: toHex(bytes.subarray(at, at + 32)), offset, length, packOffset, packLength });
    offset += length;
  }
  if (offset !== h.length) {
    throw new IntegrityError(`Cannot read chunk index: chunks add up to ${offset} bytes, not ${h.length}`);
  }
  return {
    chunker,
    compression: "gzip",
    length: h.length,
    sha256: h.sha256 as string,
    packLength: h.packLength,
    chunks,
  };
}
