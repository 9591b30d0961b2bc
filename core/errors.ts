/**
 * The named errors callers must catch. Everything else is a bug or a bad argument
 * (`TypeError`, `RangeError`, `SyntaxError`).
 *
 * Each has a stable `code` (safe to match in scripts and JSON output) and keeps the
 * underlying error as `cause`. Messages read `Cannot <action>: <detail>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IntegrityError, DroverError } from "./errors.ts";
 * const err = new IntegrityError("Cannot verify app.tar.gz: sha256 mismatch");
 * assert.ok(err instanceof DroverError && err.code === "E_INTEGRITY");
 * ```
 * @module
 */

/** Stable codes of {@linkcode DroverError} subclasses. */
export type DroverErrorCode =
  | "E_INTEGRITY"
  | "E_TRUST"
  | "E_NOT_FOUND"
  | "E_UNSUPPORTED"
  | "E_TRANSIENT"
  | "E_NO_SPACE"
  | "E_READ_ONLY"
  | FleetErrorCode;

/** Stable codes of the fleet's errors (`core/fleet/errors.ts`): HTTP 401, 409, 403 and 429. */
export type FleetErrorCode = "E_SIGNATURE" | "E_REPLAY" | "E_FORBIDDEN" | "E_RATE_LIMITED";

/** Base class of Drover's named errors. */
export abstract class DroverError extends Error {
  /** Stable, machine-readable code. */
  abstract readonly code: DroverErrorCode;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bytes do not match what was expected: digest, length, or archive structure. Exit code 3. */
export class IntegrityError extends DroverError {
  readonly code = "E_INTEGRITY" as const;
}

/** Signed metadata refused: signature, threshold, expiry, rollback, unknown key. Exit code 3. */
export class TrustError extends DroverError {
  readonly code = "E_TRUST" as const;
}

/** Nothing matches what was asked for (no version satisfies a range, unknown device type, missing file). */
export class NotFoundError extends DroverError {
  readonly code = "E_NOT_FOUND" as const;
}

/** The request is understood but not supported (an exact version that is not offered, a downgrade). */
export class UnsupportedError extends DroverError {
  readonly code = "E_UNSUPPORTED" as const;
}

/** Try later: network down, timeout, 5xx, lock held. Exit code 75. */
export class TransientError extends DroverError {
  readonly code = "E_TRANSIENT" as const;
}

/**
 * A write failed because the file system is full (ENOSPC). Exit code 1, not 75: space does not come
 * back by waiting, someone has to free it (`drover gc`, logs), so a timer must not count it as done.
 */
export class NoSpaceError extends DroverError {
  readonly code = "E_NO_SPACE" as const;
}

/** A write failed because the file system is mounted read-only (EROFS). Exit code 1. */
export class ReadOnlyError extends DroverError {
  readonly code = "E_READ_ONLY" as const;
}
