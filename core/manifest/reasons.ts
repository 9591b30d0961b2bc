/**
 * Stable codes of the reasons a manifest or an artifact is not installable (the ten reasons of the install
 * builder's seed, plus three structural ones). Safe to match in scripts and in `--json` output.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isCorruptCode } from "./reasons.ts";
 * assert.ok(isCorruptCode("INVALID_MINI_HASH") && !isCorruptCode("BLOCKED_MANIFEST"));
 * ```
 * @module
 */

/** Why a manifest or artifact is invalid. */
export type ValidationCode =
  | "INVALID_DATES"
  | "INVALID_MINI_HASH"
  | "INVALID_SIGNATURE"
  | "NO_MANIFEST_JSON"
  | "NOT_INSTALL_MANIFEST"
  | "NOT_MANIFEST_TYPE"
  | "MANIFEST_UNTRUSTED_MODE"
  | "NOT_DEVICE_MANIFEST"
  | "INCOMPATIBLE_DEVICE_TYPE"
  | "BLOCKED_MANIFEST"
  | "MALFORMED_MANIFEST"
  | "ID_MISMATCH"
  | "CHAIN_CYCLE";

/** Every code, in a stable order. */
export const VALIDATION_CODES: readonly ValidationCode[] = [
  "INVALID_DATES",
  "INVALID_MINI_HASH",
  "INVALID_SIGNATURE",
  "NO_MANIFEST_JSON",
  "NOT_INSTALL_MANIFEST",
  "NOT_MANIFEST_TYPE",
  "MANIFEST_UNTRUSTED_MODE",
  "NOT_DEVICE_MANIFEST",
  "INCOMPATIBLE_DEVICE_TYPE",
  "BLOCKED_MANIFEST",
  "MALFORMED_MANIFEST",
  "ID_MISMATCH",
  "CHAIN_CYCLE",
];

const CORRUPT: ReadonlySet<ValidationCode> = new Set<ValidationCode>([
  "INVALID_MINI_HASH",
  "INVALID_SIGNATURE",
  "NO_MANIFEST_JSON",
  "ID_MISMATCH",
]);

/** One validation failure: the code, a human message, and the source that served the copy. */
export interface ValidationFailure {
  code: ValidationCode;
  message: string;
  source?: string;
}

/**
 * True when the code means "this copy is damaged" (another source may hold a good copy): mini-hash, signature,
 * unreadable JSON, or a file that names another id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isCorruptCode } from "./reasons.ts";
 * assert.ok(isCorruptCode("INVALID_SIGNATURE"));
 * ```
 */
export function isCorruptCode(code: ValidationCode): boolean {
  return CORRUPT.has(code);
}
