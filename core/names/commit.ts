/**
 * Commit ids (a git commit or other content id): 7 to 64 lower-case hex digits. Everything the
 * signed metadata names, and everything Drover publishes, satisfies this. Radiodan layouts may
 * hold more: a commit read from an existing `.deploy`, from a radiodan releases document
 * (`--insecure-legacy`) or from a pending install of one may be 4 to 64 hex digits of either
 * case; {@linkcode isLegacyCommit} accepts those, and Drover lower-cases them before it writes a
 * release.
 *
 * @module
 */
import { show } from "./_show.ts";

/** 7 to 64 lower-case hex digits. */
export const COMMIT: RegExp = /^[0-9a-f]{7,64}$/;

const LEGACY_COMMIT = /^[0-9a-fA-F]{4,64}$/;

/**
 * True for a commit id: 7 to 64 lower-case hex digits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isCommit } from "./commit.ts";
 * assert.ok(isCommit("0123abc"));
 * assert.ok(!isCommit("0123ABC") && !isCommit("abc") && !isCommit("../../x"));
 * ```
 */
export function isCommit(value: unknown): value is string {
  return typeof value === "string" && COMMIT.test(value);
}

/**
 * True for a commit id as radiodan files may carry it: 4 to 64 hex digits, either case.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isLegacyCommit } from "./commit.ts";
 * assert.ok(isLegacyCommit("68200EC") && isLegacyCommit("d0ab"));
 * assert.ok(!isLegacyCommit("abc") && !isLegacyCommit("xyz1234"));
 * ```
 */
export function isLegacyCommit(value: unknown): value is string {
  return typeof value === "string" && LEGACY_COMMIT.test(value);
}

/**
 * Throws `TypeError` unless `value` is a commit id (7 to 64 lower-case hex digits).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assertCommit } from "./commit.ts";
 * assertCommit("0123abc");
 * assert.throws(() => assertCommit("0123ABC"), /lower-case hex/);
 * ```
 */
export function assertCommit(value: unknown): asserts value is string {
  if (!isCommit(value)) {
    throw new TypeError(`Cannot use commit ${show(value)}: expected 7 to 64 lower-case hex digits`);
  }
}
