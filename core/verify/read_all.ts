/**
 * Reads a whole, small stream (metadata, a manifest, a request body) into memory, refusing more than
 * a cap: the stream is cancelled on the first byte past it. Never for artifacts (stream those).
 *
 * @module
 */

/** Options of {@linkcode readAll}. */
export interface ReadAllOptions {
  /** The most bytes accepted. */
  maxBytes: number;
  /** What is read, for the error message (default "stream"). */
  name?: string;
  /** The error to throw past the cap (default: a `RangeError`). */
  tooLarge?: (maxBytes: number) => Error;
}

/**
 * Concatenates a stream's chunks; throws past `maxBytes` after cancelling the stream.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readAll } from "./read_all.ts";
 * const bytes = await readAll(new Blob(["abc"]).stream(), { maxBytes: 3 });
 * assert.equal(bytes.length, 3);
 * await readAll(new Blob(["abcd"]).stream(), { maxBytes: 3 }).then(
 *   () => assert.ok(false),
 *   (e) => assert.ok(e instanceof RangeError),
 * );
 * ```
 */
export async function readAll(
  stream: ReadableStream<Uint8Array>,
  options: ReadAllOptions,
): Promise<Uint8Array> {
  const { maxBytes, name = "stream" } = options;
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        throw options.tooLarge?.(maxBytes) ??
          new RangeError(`Cannot read ${name}: more than ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
