/**
 * The mini-hash: a cheap digest over an artifact's size, head and tail, checked when scanning sources (two
 * small range reads instead of a full read). It catches truncation, wrong files and most corruption; the full
 * SHA-256 is still checked on install.
 *
 * Definition (version 1): lower-case hex SHA-256 over the ASCII bytes `drover-mini-hash-v1\n`, the size as an
 * 8-byte big-endian unsigned integer, the first `min(size, 65536)` bytes, then the last
 * `min(size - head, 65536)` bytes (head and tail never overlap; files up to 128 KiB are hashed whole).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { miniHashOfBytes } from "./mini_hash.ts";
 * const h = miniHashOfBytes(new TextEncoder().encode("hello"));
 * assert.ok(/^[0-9a-f]{64}$/.test(h));
 * ```
 * @module
 */
import { getAbilities } from "../abilities.ts";

/** Bytes read from each end. */
export const MINI_HASH_SPAN = 65536;

const PREFIX = new TextEncoder().encode("drover-mini-hash-v1\n");

/** Reads `length` bytes at `offset` (exactly, or fewer only at end of file). */
export type RangeReader = (offset: number, length: number) => Promise<Uint8Array>;

/**
 * The byte ranges the mini-hash reads for a file of `size` bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { miniHashRanges } from "./mini_hash.ts";
 * assert.equal(miniHashRanges(10).tail.length, 0);
 * ```
 */
export function miniHashRanges(size: number): {
  head: { offset: number; length: number };
  tail: { offset: number; length: number };
} {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new RangeError(`Cannot compute mini-hash: bad size ${size}`);
  }
  const head = Math.min(size, MINI_HASH_SPAN);
  const tail = Math.min(size - head, MINI_HASH_SPAN);
  return { head: { offset: 0, length: head }, tail: { offset: size - tail, length: tail } };
}

function hex(u8: Uint8Array): string {
  let s = "";
  for (const b of u8) s += b.toString(16).padStart(2, "0");
  return s;
}

/**
 * The mini-hash from a size and the head and tail bytes (as given by {@linkcode miniHashRanges}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { computeMiniHash } from "./mini_hash.ts";
 * assert.equal(computeMiniHash(0, new Uint8Array(), new Uint8Array()).length, 64);
 * ```
 */
export function computeMiniHash(size: number, head: Uint8Array, tail: Uint8Array): string {
  const r = miniHashRanges(size);
  if (head.byteLength !== r.head.length || tail.byteLength !== r.tail.length) {
    throw new RangeError(`Cannot compute mini-hash: head/tail lengths do not match size ${size}`);
  }
  const h = getAbilities().createHasher("sha256");
  const len = new Uint8Array(8);
  new DataView(len.buffer).setBigUint64(0, BigInt(size));
  h.update(PREFIX);
  h.update(len);
  h.update(head);
  h.update(tail);
  return hex(h.digest());
}

/**
 * The mini-hash of bytes in memory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { miniHashOfBytes } from "./mini_hash.ts";
 * assert.ok(miniHashOfBytes(new Uint8Array(3)) !== miniHashOfBytes(new Uint8Array(4)));
 * ```
 */
export function miniHashOfBytes(bytes: Uint8Array): string {
  const r = miniHashRanges(bytes.byteLength);
  return computeMiniHash(
    bytes.byteLength,
    bytes.subarray(0, r.head.length),
    bytes.subarray(r.tail.offset, r.tail.offset + r.tail.length),
  );
}

/**
 * The mini-hash of a file read through `read` (two range reads). A short read (the file is shorter than
 * `size`) throws `RangeError`, which callers treat as a mismatch.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { miniHash, miniHashOfBytes } from "./mini_hash.ts";
 * const b = new Uint8Array(200_000).fill(7);
 * const h = await miniHash(b.length, async (o, n) => b.subarray(o, o + n));
 * assert.equal(h, miniHashOfBytes(b));
 * ```
 */
export async function miniHash(size: number, read: RangeReader): Promise<string> {
  const r = miniHashRanges(size);
  const head = r.head.length ? await read(r.head.offset, r.head.length) : new Uint8Array();
  const tail = r.tail.length ? await read(r.tail.offset, r.tail.length) : new Uint8Array();
  return computeMiniHash(size, head, tail);
}
