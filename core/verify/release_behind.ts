/**
 * Frees the buffer behind a stream's chunks once a chunk of another buffer follows: for a consumer
 * done with each chunk when it takes the next, whose source may back consecutive chunks with one
 * buffer (a read split in two). Keeps nothing where the runtime cannot release
 * ({@linkcode CAN_RELEASE}): a reference kept would only delay the collector.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CAN_RELEASE } from "./release_buffer.ts";
 * import { ReleaseBehind } from "./release_behind.ts";
 * const behind = new ReleaseBehind();
 * const a = new Uint8Array(128 * 1024);
 * behind.used(a.subarray(0, 1024));
 * behind.used(a.subarray(1024)); // the same buffer: still in use
 * assert.equal(a.byteLength, 128 * 1024);
 * behind.used(new Uint8Array(128 * 1024)); // another buffer: `a`'s is done with
 * assert.equal(a.byteLength, CAN_RELEASE ? 0 : 128 * 1024);
 * ```
 * @module
 */
import { CAN_RELEASE, releaseBuffer } from "./release_buffer.ts";

/** See the module doc. */
export class ReleaseBehind {
  #last: ArrayBufferLike | undefined;

  /** `chunk` is being used: the buffer of the chunks before it, when another, is released. */
  used(chunk: Uint8Array): void {
    if (!CAN_RELEASE || chunk.buffer === this.#last) return;
    if (this.#last) releaseBuffer(this.#last);
    this.#last = chunk.buffer;
  }
}
