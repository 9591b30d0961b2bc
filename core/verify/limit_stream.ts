/**
 * A pass-through stream that refuses more than a given number of bytes.
 *
 * @module
 */
import { IntegrityError } from "../errors.ts";
import { checkChunk, checkLength } from "./_util.ts";

/** Options of {@linkcode LimitStream}. */
export interface LimitStreamOptions {
  /** What is being read, for the error message (default `stream`). */
  name?: string;
}

/**
 * Passes at most `maxBytes` bytes; the chunk holding the first byte past the limit is not passed
 * on and the stream errors with an {@linkcode IntegrityError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LimitStream } from "./limit_stream.ts";
 * const body = new Blob(["0123456789"]).stream().pipeThrough(new LimitStream(4, { name: "root.json" }));
 * const failed = await new Response(body).arrayBuffer().then(() => false, () => true);
 * assert.ok(failed);
 * ```
 */
export class LimitStream extends TransformStream<Uint8Array, Uint8Array> {
  constructor(maxBytes: number, options: LimitStreamOptions = {}) {
    checkLength(maxBytes, "create LimitStream: maxBytes");
    const name = options.name ?? "stream";
    let bytes = 0;
    super({
      transform(chunk, controller) {
        checkChunk(chunk, `read ${name}`);
        bytes += chunk.length;
        if (bytes > maxBytes) {
          throw new IntegrityError(`Cannot read ${name}: more than ${maxBytes} bytes`);
        }
        controller.enqueue(chunk);
      },
    });
  }
}
