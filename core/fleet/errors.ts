/**
 * The named errors of the fleet: a device request whose signature is refused, and a request
 * replayed (its counter is not above the last one the edge accepted from that device).
 *
 * Each has a stable `code` and keeps the underlying error as `cause`; messages read
 * `Cannot <action>: <detail>`. They mirror `core/errors.ts`'s `DroverError` but extend `Error`
 * directly, because `DroverErrorCode` does not list their codes (yet).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FleetError, ReplayError, SignatureError } from "./errors.ts";
 * const err = new SignatureError("Cannot verify request: no Signature header");
 * assert.ok(err instanceof FleetError);
 * assert.equal(err.code, "E_SIGNATURE");
 * assert.equal(err.name, "SignatureError");
 * assert.equal(new ReplayError("Cannot accept request: counter 3 is not above 7").code, "E_REPLAY");
 * ```
 * @module
 */

/** Stable codes of {@linkcode FleetError} subclasses. */
export type FleetErrorCode = "E_SIGNATURE" | "E_REPLAY";

/** Base class of the fleet's named errors. */
export abstract class FleetError extends Error {
  /** Stable, machine-readable code. */
  abstract readonly code: FleetErrorCode;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
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
