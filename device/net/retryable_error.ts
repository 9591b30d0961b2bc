/**
 * A transient failure worth another attempt (network error, timeout, 5xx, 429), with the server's
 * Retry-After when it sent one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RetryableError } from "./retryable_error.ts";
 * const error = new RetryableError("Cannot fetch x: HTTP 503", { retryAfterMs: 2000 });
 * assert.ok(error.code === "E_TRANSIENT" && error.retryAfterMs === 2000);
 * ```
 * @module
 */
import { TransientError } from "../../core/errors.ts";

/** A transient failure that may carry the server's Retry-After, in ms. */
export class RetryableError extends TransientError {
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: { cause?: unknown; retryAfterMs?: number } = {}) {
    super(message, { cause: options.cause });
    this.retryAfterMs = options.retryAfterMs;
  }
}
