/**
 * The one rule every name that becomes a file name, a directory or a URL path segment follows:
 * a letter or digit, then letters, digits, `.`, `_`, `+` or `-`; at most 128 characters. So a
 * segment is never empty, never `.` or `..`, never hidden, never an option (`-x`), and holds no
 * `/`, `\`, NUL, space, `%` or non-ASCII character.
 *
 * @module
 */
import { show } from "./_show.ts";

/** The characters of a safe segment (no length bound: see {@linkcode MAX_SEGMENT_LENGTH}). */
export const SEGMENT: RegExp = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

/** The longest segment a name may be. */
export const MAX_SEGMENT_LENGTH = 128;

/**
 * True when `value` is one safe segment of at most `maxLength` characters (default
 * {@linkcode MAX_SEGMENT_LENGTH}; storage and URL segments that carry a sha256 prefix allow more).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isSegment } from "./segment.ts";
 * assert.ok(isSegment("v1.2.3+rev2"));
 * assert.ok(!isSegment("..") && !isSegment("a/b") && !isSegment("a\0"));
 * ```
 */
export function isSegment(value: unknown, options: { maxLength?: number } = {}): value is string {
  const max = options.maxLength ?? MAX_SEGMENT_LENGTH;
  return typeof value === "string" && value.length <= max && SEGMENT.test(value);
}

/**
 * Throws `TypeError` naming `what` unless `value` is one safe segment (see {@linkcode isSegment}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assertSegment } from "./segment.ts";
 * assertSegment("main", "ref");
 * assert.throws(() => assertSegment("..", "ref"), TypeError);
 * ```
 */
export function assertSegment(value: unknown, what: string): asserts value is string {
  if (!isSegment(value)) {
    throw new TypeError(
      `Cannot use ${what} ${show(value)}: expected ${SEGMENT.source}, at most ${MAX_SEGMENT_LENGTH} chars`,
    );
  }
}
