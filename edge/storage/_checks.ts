/**
 * Path and blob-id checks shared by the storages.
 * @module
 */

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

/**
 * Throws `TypeError` unless `path` is a relative, normalised path made of safe segments.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkPath } from "./_checks.ts";
 * checkPath("tuf/1.root.json");
 * let refused = false;
 * try { checkPath("tuf/../keys/root.json"); } catch { refused = true; }
 * assert.ok(refused);
 * ```
 */
export function checkPath(path: string): void {
  if (typeof path !== "string" || path.length === 0 || path.length > 1024) {
    throw new TypeError(`Cannot use storage path: bad length`);
  }
  for (const segment of path.split("/")) {
    if (!SEGMENT.test(segment)) throw new TypeError(`Cannot use storage path '${path}': bad segment`);
  }
}

/** Throws `TypeError` unless `sha256` is 64 lower-case hex digits. */
export function checkSha256(sha256: string): void {
  if (typeof sha256 !== "string" || !/^[0-9a-f]{64}$/.test(sha256)) {
    throw new TypeError(`Cannot use blob id: not a lower-case hex sha256`);
  }
}
