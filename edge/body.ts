/**
 * Request-body limits. Small bodies (metadata) go through Hono's `bodyLimit` ({@linkcode limitBody}).
 * Uploads stream and are capped by {@linkcode CapStream}: `bodyLimit` buffers a body sent without
 * `Content-Length` (chunked) whole in memory before the handler runs, and uploads may be gigabytes.
 * A declared `Content-Length` over the cap is refused before reading; the bytes actually sent are
 * counted while streaming (413 on the first byte past the cap).
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
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

/**
 * Hono's `bodyLimit` for a small body read whole: more than `max` bytes (declared or sent) is a 413
 * `E_TOO_LARGE` in the edge's JSON error shape.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { limitBody } from "./body.ts";
 * const app = new Hono().post("/m", limitBody(4), async (c) => c.text(await c.req.text()));
 * app.onError((e) => new Response(e.message, { status: (e as { status?: number }).status }));
 * assert.equal((await app.request("/m", { method: "POST", body: "1234" })).status, 200);
 * assert.equal((await app.request("/m", { method: "POST", body: "12345" })).status, 413);
 * ```
 */
export function limitBody(max: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: max,
    onError: () => {
      throw tooLarge(max);
    },
  });
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
