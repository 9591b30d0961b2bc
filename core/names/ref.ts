/**
 * Refs (the branch or channel an app tracks): one safe segment, so `feature/x` is not a ref
 * (it would be a directory in target paths). Radiodan refs are branch names like `master` and
 * fit the same rule; there is no legacy exception.
 *
 * @module
 */
import { show } from "./_show.ts";
import { isSegment, MAX_SEGMENT_LENGTH } from "./segment.ts";

/**
 * True when `value` is a ref: one safe segment.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isRef } from "./ref.ts";
 * assert.ok(isRef("main") && isRef("v2.1"));
 * assert.ok(!isRef("..") && !isRef("feature/x") && !isRef(""));
 * ```
 */
export function isRef(value: unknown): value is string {
  return isSegment(value);
}

/**
 * Throws `TypeError` unless `value` is a ref.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assertRef } from "./ref.ts";
 * assertRef("main");
 * assert.throws(() => assertRef("-rf"), TypeError);
 * ```
 */
export function assertRef(value: unknown): asserts value is string {
  if (!isRef(value)) {
    throw new TypeError(
      `Cannot use ref ${show(value)}: expected one safe segment, at most ${MAX_SEGMENT_LENGTH} chars`,
    );
  }
}
