/**
 * Path and blob-id checks shared by the storages: the name rules of `core/names`.
 * @module
 */
import { assertRelativePath, assertSha256 } from "../../core/names/mod.ts";

/** Longest storage path segment: a consistent-snapshot file name `<sha256>.<name>` is longer than a name. */
const MAX_SEGMENT_LENGTH = 255;

/**
 * Throws `TypeError` unless `path` is a relative, normalised path made of safe segments.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkPath } from "./_checks.ts";
 * checkPath("tuf/1.root.json");
 * assert.throws(() => checkPath("tuf/../keys/root.json"), TypeError);
 * ```
 */
export function checkPath(path: string): void {
  assertRelativePath(path, { what: "storage path", maxSegmentLength: MAX_SEGMENT_LENGTH });
}

/** Throws `TypeError` unless `sha256` is 64 lower-case hex digits. */
export function checkSha256(sha256: string): void {
  assertSha256(sha256, { what: "blob id" });
}
