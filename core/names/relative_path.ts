/**
 * Relative paths made of safe segments (TUF target names, storage keys, artifact URLs): no leading
 * or trailing `/`, no empty segment, no `.` or `..`, every segment one {@link ./segment.ts | safe
 * segment}, at most 1024 characters in all.
 *
 * @module
 */
import { show } from "./_show.ts";
import { isSegment } from "./segment.ts";

/** Options of {@linkcode isRelativePath}. */
export interface RelativePathOptions {
  /** Longest segment (default 128; a consistent-snapshot file name `<sha256>.<name>` needs more). */
  maxSegmentLength?: number;
  /** Most segments (default: no limit beyond the total length). */
  maxSegments?: number;
}

/** The longest relative path. */
export const MAX_PATH_LENGTH = 1024;

/**
 * True when `value` is a relative `/`-separated path of safe segments.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isRelativePath } from "./relative_path.ts";
 * assert.ok(isRelativePath("images/rpi4/1.0.0/prod/os.img"));
 * assert.ok(!isRelativePath("tuf/../keys/root.json") && !isRelativePath("/etc/passwd") && !isRelativePath("a//b"));
 * ```
 */
export function isRelativePath(value: unknown, options: RelativePathOptions = {}): value is string {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_PATH_LENGTH) return false;
  const segments = value.split("/");
  if (options.maxSegments !== undefined && segments.length > options.maxSegments) return false;
  return segments.every((s) => isSegment(s, { maxLength: options.maxSegmentLength }));
}

/**
 * Throws `TypeError` naming `what` unless `value` is a relative path of safe segments.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assertRelativePath } from "./relative_path.ts";
 * assertRelativePath("tuf/1.root.json", { what: "storage path" });
 * assert.throws(() => assertRelativePath("tuf/../x", { what: "storage path" }), /storage path/);
 * ```
 */
export function assertRelativePath(
  value: unknown,
  options: RelativePathOptions & { what?: string } = {},
): asserts value is string {
  if (!isRelativePath(value, options)) {
    throw new TypeError(
      `Cannot use ${options.what ?? "path"} ${show(value)}: expected a relative path of safe segments`,
    );
  }
}
