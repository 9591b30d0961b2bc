/**
 * Frees a buffer's memory now instead of when a collection finds it: detaches it
 * (`ArrayBuffer.prototype.transfer(0)`, ES2024), so every view of it reads as empty from then on.
 * Streaming hundreds of MiB makes a fresh buffer per chunk (a network read, a file read, gunzip's
 * output) outside the JS heap; left to the collector, what the allocator kept of them between two
 * collections is most of a download's or an install's peak memory. Only for buffers that nothing
 * will read or reuse again.
 *
 * Leaves alone (returns `false`): buffers under {@linkcode MIN_RELEASE} (they may be slices of a
 * shared pool, as Node's 8 KiB `Buffer` pool is, and freeing them early gains little), a
 * `SharedArrayBuffer`, a buffer the runtime does not let go (its own), and runtimes without
 * `transfer` (Node 20), where the collector frees it as before.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CAN_RELEASE, releaseBuffer } from "./release_buffer.ts";
 * const chunk = new Uint8Array(256 * 1024);
 * const released = releaseBuffer(chunk.buffer);
 * assert.equal(chunk.byteLength, released ? 0 : 256 * 1024);
 * assert.equal(releaseBuffer(new Uint8Array(16).buffer), false);
 * assert.equal(released, CAN_RELEASE);
 * ```
 * @module
 */

/**
 * Whether this runtime can release buffers. Where it cannot, keep no references for releasing
 * later: a reference kept alive outlives young-generation collections (Node's are every MiB).
 */
export const CAN_RELEASE: boolean =
  typeof (ArrayBuffer.prototype as { transfer?: unknown }).transfer === "function";

/** Smallest buffer {@linkcode releaseBuffer} frees. */
export const MIN_RELEASE = 64 * 1024;

type Detachable = ArrayBuffer & { transfer?: (length?: number) => ArrayBuffer; detached?: boolean };

/** Detaches `buffer` when it is a large, detachable `ArrayBuffer`; whether it did. */
export function releaseBuffer(buffer: ArrayBufferLike): boolean {
  if (!(buffer instanceof ArrayBuffer) || buffer.byteLength < MIN_RELEASE) return false;
  const b = buffer as Detachable;
  if (typeof b.transfer !== "function" || b.detached) return false;
  try {
    b.transfer(0);
    return true;
  } catch {
    return false; // not detachable (a runtime's own buffer): the collector frees it
  }
}
