/**
 * Coalesces small chunks into large ones (native hashers are much faster on large chunks).
 *
 * @module
 */
import { checkChunk } from "./_util.ts";

/** 1 MiB, the default chunk size of {@linkcode RechunkStream}. */
export const DEFAULT_RECHUNK_SIZE = 1024 * 1024;

/**
 * Re-chunks a byte stream: every chunk it emits holds at least `size` bytes, except the last.
 * Small chunks are copied into a `size`-byte buffer; a chunk of `size` bytes or more that arrives
 * while the buffer is empty is passed on as is (no copy). Holds at most one buffer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RechunkStream } from "./rechunk_stream.ts";
 * const sizes: number[] = [];
 * await new Blob(["ab", "cd", "e"]).stream().pipeThrough(new RechunkStream(2))
 *   .pipeTo(new WritableStream({ write: (c) => void sizes.push(c.length) }));
 * assert.equal(sizes.reduce((a, b) => a + b), 5);
 * ```
 */
export class RechunkStream extends TransformStream<Uint8Array, Uint8Array> {
  constructor(size: number = DEFAULT_RECHUNK_SIZE) {
    if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 1) {
      throw new RangeError(
        `Cannot create RechunkStream: size must be a positive integer, got ${String(size)}`,
      );
    }
    let buffer: Uint8Array | undefined;
    let filled = 0;
    super({
      transform(chunk, controller) {
        checkChunk(chunk, "rechunk stream");
        let offset = 0;
        if (filled > 0) {
          const take = Math.min(size - filled, chunk.length);
          buffer!.set(chunk.subarray(0, take), filled);
          filled += take;
          offset = take;
          if (filled < size) return;
          controller.enqueue(buffer!);
          buffer = undefined;
          filled = 0;
        }
        const left = chunk.length - offset;
        if (left >= size) {
          controller.enqueue(offset === 0 ? chunk : chunk.subarray(offset));
        } else if (left > 0) {
          buffer = new Uint8Array(size);
          buffer.set(chunk.subarray(offset));
          filled = left;
        }
      },
      flush(controller) {
        if (filled > 0) controller.enqueue(buffer!.subarray(0, filled));
        buffer = undefined;
        filled = 0;
      },
    });
  }
}
