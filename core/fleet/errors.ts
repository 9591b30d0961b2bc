/**
 * The named errors of the fleet, all `DroverError`s (core/errors.ts) with a stable `code` and the
 * underlying error as `cause`; messages read `Cannot <action>: <detail>`. The edge answers each
 * with its HTTP status and the JSON body `{ error: { code, message } }`, so a device tells them
 * apart by `code`:
 *
 * | class             | code             | HTTP | meaning                                                       |
 * | ----------------- | ---------------- | ---- | ------------------------------------------------------------- |
 * | `SignatureError`  | `E_SIGNATURE`    | 401  | unsigned, wrongly signed, or signed by an unknown device      |
 * | `ReplayError`     | `E_REPLAY`       | 409  | the counter is not above the last one accepted                |
 * | `ForbiddenError`  | `E_FORBIDDEN`    | 403  | authenticated, not allowed (rejected device, another's path)  |
 * | `RateLimitError`  | `E_RATE_LIMITED` | 429  | too many requests: retry after `retryAfterSeconds`            |
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DroverError } from "../errors.ts";
 * import { FleetError, RateLimitError, ReplayError, SignatureError } from "./errors.ts";
 * const err = new SignatureError("Cannot verify request: no Signature header");
 * assert.ok(err instanceof FleetError && err instanceof DroverError);
 * assert.equal(err.code, "E_SIGNATURE");
 * assert.equal(err.name, "SignatureError");
 * assert.equal(new ReplayError("Cannot accept request: counter 3 is not above 7").code, "E_REPLAY");
 * assert.equal(new RateLimitError("Cannot accept request: too many", { retryAfterSeconds: 3 }).retryAfterSeconds, 3);
 * ```
 * @module
 */
import { DroverError, type FleetErrorCode } from "../errors.ts";

export type { FleetErrorCode };

/** Base class of the fleet's named errors. */
export abstract class FleetError extends DroverError {
  abstract override readonly code: FleetErrorCode;
}

/**
 * A request signature is missing, malformed, made by an unknown key, does not cover what it
 * must, or does not verify. HTTP 401.
 */
export class SignatureError extends FleetError {
  readonly code = "E_SIGNATURE" as const;
}

/** A signed request's counter is not above the last one accepted from its device. HTTP 409. */
export class ReplayError extends FleetError {
  readonly code = "E_REPLAY" as const;
}

/**
 * A request whose signer is known but not allowed: a rejected device, a device writing as
 * another, an enrolment token that is not valid. HTTP 403.
 */
export class ForbiddenError extends FleetError {
  readonly code = "E_FORBIDDEN" as const;
}

/** Too many requests: retry after {@linkcode RateLimitError.retryAfterSeconds}. HTTP 429. */
export class RateLimitError extends FleetError {
  readonly code = "E_RATE_LIMITED" as const;
  /** Whole seconds to wait before retrying (at least 1), sent as `Retry-After`. */
  readonly retryAfterSeconds: number;
  constructor(message: string, options: { retryAfterSeconds: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    const seconds = options.retryAfterSeconds;
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new RangeError("Cannot create RateLimitError: retryAfterSeconds must be a non-negative number");
    }
    this.retryAfterSeconds = Math.max(1, Math.ceil(seconds));
  }
}
