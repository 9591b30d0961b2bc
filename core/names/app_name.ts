/**
 * App names. Anything Drover is asked to install, registers, signs or publishes is named
 * `OWNER/APP`: two {@link ./segment.ts | safe segments}. Radiodan layouts may hold more: a
 * `.deploy` (or an older `.drover-app.json`) read from an existing release may name a single
 * segment `APP`; {@linkcode isLegacyAppName} accepts that when such a file is read, and nothing
 * else does.
 *
 * @module
 */
import { show } from "./_show.ts";
import { isSegment } from "./segment.ts";

/**
 * True for `OWNER/APP`: exactly two safe segments.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isAppName } from "./app_name.ts";
 * assert.ok(isAppName("acme/radio"));
 * assert.ok(!isAppName("radio") && !isAppName("acme/../radio") && !isAppName("a/b/c"));
 * ```
 */
export function isAppName(value: unknown): value is string {
  if (typeof value !== "string") return false;
  const parts = value.split("/");
  return parts.length === 2 && parts.every((p) => isSegment(p));
}

/**
 * True for `OWNER/APP`, or a single safe segment `APP`: the names an existing radiodan `.deploy`
 * may carry. Only for names read from files already on the device.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isLegacyAppName } from "./app_name.ts";
 * assert.ok(isLegacyAppName("magic-button") && isLegacyAppName("radiodan/magic-button"));
 * assert.ok(!isLegacyAppName("..") && !isLegacyAppName("/etc"));
 * ```
 */
export function isLegacyAppName(value: unknown): value is string {
  return isAppName(value) || isSegment(value);
}

/**
 * Throws `TypeError` unless `value` is `OWNER/APP` (see {@linkcode isAppName}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assertAppName } from "./app_name.ts";
 * assertAppName("acme/radio");
 * assert.throws(() => assertAppName("radio"), /OWNER\/APP/);
 * ```
 */
export function assertAppName(value: unknown): asserts value is string {
  if (!isAppName(value)) {
    throw new TypeError(`Cannot use app name ${show(value)}: expected OWNER/APP (two safe segments)`);
  }
}

/**
 * The file-name form of an app name (legacy names included): `owner/app` → `owner~app` (`~` is
 * in no name, so the mapping is one to one). `TypeError` for anything else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { appSlug } from "./app_name.ts";
 * assert.equal(appSlug("acme/radio"), "acme~radio");
 * assert.equal(appSlug("magic-button"), "magic-button");
 * ```
 */
export function appSlug(name: string): string {
  if (!isLegacyAppName(name)) {
    throw new TypeError(`Cannot name a file after app ${show(name)}: invalid app name`);
  }
  return name.replace("/", "~");
}
