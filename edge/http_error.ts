/**
 * HTTP-facing errors of the edge and the one place that turns any thrown value into the
 * JSON error body `{ error: { code, message } }` with the right status.
 * @module
 */
import { DroverError, TransientError } from "../core/errors.ts";
import { RateLimitError } from "../core/fleet/errors.ts";

/** Stable codes of edge-only errors (core errors keep their own `E_*` codes). */
export type HttpErrorCode =
  | "E_BAD_REQUEST"
  | "E_UNAUTHORIZED"
  | "E_FORBIDDEN"
  | "E_NOT_FOUND"
  | "E_METHOD"
  | "E_CONFLICT"
  | "E_STALE"
  | "E_DELTA_LINK"
  | "E_LENGTH_REQUIRED"
  | "E_TOO_LARGE"
  | "E_RANGE"
  | "E_UNAVAILABLE"
  | "E_NO_FLEET"
  | "E_CLIENT_GONE";

const CODE_OF_STATUS: Record<number, HttpErrorCode> = {
  400: "E_BAD_REQUEST",
  401: "E_UNAUTHORIZED",
  403: "E_FORBIDDEN",
  404: "E_NOT_FOUND",
  405: "E_METHOD",
  409: "E_CONFLICT",
  411: "E_LENGTH_REQUIRED",
  413: "E_TOO_LARGE",
  416: "E_RANGE",
  503: "E_UNAVAILABLE",
};

/** Options of {@linkcode HttpError}. */
export interface HttpErrorOptions {
  /** Stable code (default: the usual one for the status, e.g. 413 `E_TOO_LARGE`). */
  code?: HttpErrorCode;
  cause?: unknown;
  /** Extra response headers (`Allow`, `WWW-Authenticate`, `Content-Range`). */
  headers?: Record<string, string>;
}

/**
 * An error that already knows its HTTP status; thrown by routes and storages.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HttpError } from "./http_error.ts";
 * const e = new HttpError(413, "Cannot accept upload: over 10 bytes");
 * assert.ok(e.status === 413 && e.code === "E_TOO_LARGE");
 * ```
 */
export class HttpError extends Error {
  readonly status: number;
  readonly code: HttpErrorCode;
  readonly headers: Record<string, string>;
  constructor(status: number, message: string, options: HttpErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "HttpError";
    this.status = status;
    this.code = options.code ?? CODE_OF_STATUS[status] ?? "E_BAD_REQUEST";
    this.headers = options.headers ?? {};
  }
}

const CORE_STATUS: Record<string, number> = {
  E_INTEGRITY: 422,
  E_TRUST: 403,
  E_NOT_FOUND: 404,
  E_UNSUPPORTED: 404,
  E_TRANSIENT: 503,
  E_SIGNATURE: 401,
  E_FORBIDDEN: 403,
  E_REPLAY: 409,
  E_RATE_LIMITED: 429,
};

/** What a thrown value becomes on the wire. */
export interface ErrorReply {
  status: number;
  code: string;
  message: string;
  headers: Record<string, string>;
  /** True when the error is a bug or an outage (logged, message hidden). */
  internal: boolean;
}

/** The `Retry-After` of a 503 for a `TransientError` (a busy fleet database, a lock held), seconds. */
export const TRANSIENT_RETRY_AFTER_SECONDS = 1;

/** Maps any thrown value to a status, a stable code and a safe message (never a stack). */
export function toErrorReply(error: unknown): ErrorReply {
  if (error instanceof HttpError) {
    return {
      status: error.status,
      code: error.code,
      message: error.message,
      headers: error.headers,
      internal: false,
    };
  }
  if (error instanceof DroverError) {
    const status = CORE_STATUS[error.code] ?? 500;
    // a flood waits its bucket's refill; a busy database or lock (503) a moment
    const headers: Record<string, string> = error instanceof RateLimitError
      ? { "retry-after": String(error.retryAfterSeconds) }
      : error instanceof TransientError
      ? { "retry-after": String(TRANSIENT_RETRY_AFTER_SECONDS) }
      : {};
    return { status, code: error.code, message: error.message, headers, internal: status >= 500 };
  }
  if (error instanceof SyntaxError || error instanceof TypeError || error instanceof RangeError) {
    // Only our own argument checks throw these with a "Cannot" message; anything else is a bug.
    if (error.message.startsWith("Cannot ")) {
      return { status: 400, code: "E_BAD_REQUEST", message: error.message, headers: {}, internal: false };
    }
  }
  return {
    status: 500,
    code: "E_INTERNAL",
    message: "Cannot serve request: internal error",
    headers: {},
    internal: true,
  };
}

/** A JSON error response for `reply`. */
export function errorResponse(reply: Pick<ErrorReply, "status" | "code" | "message" | "headers">): Response {
  const body = JSON.stringify({ error: { code: reply.code, message: reply.message } });
  return new Response(body, {
    status: reply.status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      ...reply.headers,
    },
  });
}
