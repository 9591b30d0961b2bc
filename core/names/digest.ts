/**
 * Digests as names carry them (blob ids, cache file names, download keys): lower-case hex.
 * Hashes given to a verifier may be either case (core/verify lower-cases them); a digest that
 * becomes part of a path must be lower-case.
 *
 * @module
 */
import { show } from "./_show.ts";

const SHA256 = /^[0-9a-f]{64}$/;
const SHA1 = /^[0-9a-f]{40}$/;

/**
 * True for a lower-case hex SHA-256 (64 digits).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isSha256 } from "./digest.ts";
 * assert.ok(isSha256("ab".repeat(32)) && !isSha256("AB".repeat(32)));
 * ```
 */
export function isSha256(value: unknown): value is string {
  return typeof value === "string" && SHA256.test(value);
}

/**
 * True for a lower-case hex SHA-1 (40 digits; radiodan releases).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isSha1 } from "./digest.ts";
 * assert.ok(isSha1("0".repeat(40)) && !isSha1("0".repeat(64)));
 * ```
 */
export function isSha1(value: unknown): value is string {
  return typeof value === "string" && SHA1.test(value);
}

/**
 * Throws `TypeError` naming `what` (default `sha256`) unless `value` is a lower-case hex SHA-256.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assertSha256 } from "./digest.ts";
 * assertSha256("0".repeat(64));
 * assert.throws(() => assertSha256("../x", { what: "blob id" }), /blob id/);
 * ```
 */
export function assertSha256(value: unknown, options: { what?: string } = {}): asserts value is string {
  if (!isSha256(value)) {
    throw new TypeError(
      `Cannot use ${options.what ?? "sha256"} ${show(value)}: expected 64 lower-case hex digits`,
    );
  }
}
