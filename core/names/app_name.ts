/**
 * App names. Anything Drover is asked to install, registers, signs or publishes is named
 * `OWNER/APP`: two {@link ./segment.ts | safe segments}, at most {@linkcode MAX_APP_NAME_LENGTH}
 * characters in all. Radiodan layouts may hold more: a `.deploy` (or an older `.drover-app.json`)
 * read from an existing release may name a single segment `APP`; {@linkcode isLegacyAppName}
 * accepts that when such a file is read, and nothing else does. The length bound holds for legacy
 * names too.
 *
 * Why 96: devices name files after `appSlug(name)` and a ref (at most 128 characters), the longest
 * being the temporary file of a pending install, `.<owner~app>@<ref>.json.tmp-<pid>-<8 hex>`:
 * 1 + 96 + 1 + 128 + 10 + 7 (Linux pids are below 2^22) + 1 + 8 = 252 bytes, within the 255 a
 * file name may have (device/fs/workspace.ts, device/fs/atomic_file.ts).
 *
 * @module
 */
import { show } from "./_show.ts";
import { isSegment } from "./segment.ts";

/** The longest app name, `/` included (so the longest slug): see the module doc. */
export const MAX_APP_NAME_LENGTH = 96;

const fits = (value: string) => value.length <= MAX_APP_NAME_LENGTH;

/**
 * True for `OWNER/APP`: exactly two safe segments, at most {@linkcode MAX_APP_NAME_LENGTH}
 * characters in all.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isAppName } from "./app_name.ts";
 * assert.ok(isAppName("acme/radio"));
 * assert.ok(!isAppName("radio") && !isAppName("acme/../radio") && !isAppName("a/b/c"));
 * assert.ok(isAppName(`acme/${"a".repeat(91)}`) && !isAppName(`acme/${"a".repeat(92)}`));
 * ```
 */
export function isAppName(value: unknown): value is string {
  if (typeof value !== "string" || !fits(value)) return false;
  const parts = value.split("/");
  return parts.length === 2 && parts.every((p) => isSegment(p));
}

/**
 * True for `OWNER/APP`, or a single safe segment `APP`: the names an existing radiodan `.deploy`
 * may carry; at most {@linkcode MAX_APP_NAME_LENGTH} characters either way. Only for names read
 * from files already on the device.
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
  return isAppName(value) || (isSegment(value) && fits(value));
}

/**
 * Throws `TypeError` unless `value` is `OWNER/APP` (see {@linkcode isAppName}); the message says
 * when it is only too long.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assertAppName } from "./app_name.ts";
 * assertAppName("acme/radio");
 * assert.throws(() => assertAppName("radio"), /OWNER\/APP/);
 * assert.throws(() => assertAppName(`acme/${"a".repeat(92)}`), /longer than 96 characters/);
 * ```
 */
export function assertAppName(value: unknown): asserts value is string {
  if (typeof value === "string" && !fits(value)) {
    throw new TypeError(`Cannot use app name ${show(value)}: longer than ${MAX_APP_NAME_LENGTH} characters`);
  }
  if (!isAppName(value)) {
    throw new TypeError(`Cannot use app name ${show(value)}: expected OWNER/APP (two safe segments)`);
  }
}

/**
 * The file-name form of an app name (legacy names included): `owner/app` → `owner~app` (`~` is
 * in no name, so the mapping is one to one), at most {@linkcode MAX_APP_NAME_LENGTH} characters.
 * `TypeError` for anything else.
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
    const why = typeof name === "string" && !fits(name)
      ? `longer than ${MAX_APP_NAME_LENGTH} characters`
      : "invalid app name";
    throw new TypeError(`Cannot name a file after app ${show(name)}: ${why}`);
  }
  return name.replace("/", "~");
}
