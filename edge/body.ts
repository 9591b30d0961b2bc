/**
 * Request-body limits: a declared `Content-Length` over the cap is refused before reading, and
 * the bytes actually sent are counted while streaming (413 on the first byte past the cap).
 * @module
 */
import { readAll } from "../core/verify/read_all.ts";
import { HttpError } from "./http_error.ts";

/** The declared length (`undefined` when absent); 400 when malformed, 413 when over `max`. */
export function declaredLength(header: string | undefined, max: number): number | undefined {
  if (header === undefined) return undefined;
  if (!/^\d{1,16}$/.test(header.trim())) {
    throw new HttpError(400, "Cannot read body: malformed Content-Length");
  }
  const length = Number(header.trim());
  if (length > max) throw tooLarge(max);
  return length;
}

function tooLarge(max: number): HttpError {
  return new HttpError(413, `Cannot read body: larger than ${max} bytes`);
}

/** Passes at most `max` bytes, then errors with a 413 {@linkcode HttpError}. */
export class CapStream extends TransformStream<Uint8Array, Uint8Array> {
  constructor(max: number) {
    let total = 0;
    super({
      transform(chunk, controller) {
        total += chunk.byteLength;
        if (total > max) throw tooLarge(max);
        controller.enqueue(chunk);
      },
    });
  }
}

/** Reads a whole (small) body, refusing more than `max` bytes (413). */
export function readCapped(body: ReadableStream<Uint8Array> | null, max: number): Promise<Uint8Array> {
  if (!body) return Promise.resolve(new Uint8Array(0));
  return readAll(body, { maxBytes: max, tooLarge });
}

/**
 * Wraps `stream` so the first error read from it is remembered: stores and bindings (R2) may
 * re-wrap a stream's error, and the caller wants the original (422 digest mismatch, 413 cap).
 */
export function watchErrors(stream: ReadableStream<Uint8Array>): {
  stream: ReadableStream<Uint8Array>;
  failure(): unknown;
} {
  let failure: unknown;
  const reader = stream.getReader();
  const watched = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        failure ??= error;
        controller.error(error);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  return { stream: watched, failure: () => failure };
}
