/**
 * core/names: the rules for every name that becomes a file name, a directory or a URL segment
 * (app names, refs, commits, device types, path segments and paths, digests), shared by the
 * device, the edge and the repository scripts. Remote data reaches the file system only through
 * these. Where radiodan layouts need more (a one-segment app name, a short or upper-case commit
 * in an existing `.deploy`), a separate `isLegacy…` rule says so; signed metadata must always
 * satisfy the strict one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isAppName, isCommit, isLegacyCommit, isRef } from "./mod.ts";
 * assert.ok(isAppName("acme/radio") && isRef("main") && isCommit("0123abc"));
 * assert.ok(!isCommit("0123ABC") && isLegacyCommit("0123ABC"));
 * ```
 * @module
 */
export { assertSegment, isSegment, MAX_SEGMENT_LENGTH, SEGMENT } from "./segment.ts";
export { appSlug, assertAppName, isAppName, isLegacyAppName, MAX_APP_NAME_LENGTH } from "./app_name.ts";
export { assertRef, isRef } from "./ref.ts";
export { assertCommit, COMMIT, isCommit, isLegacyCommit } from "./commit.ts";
export { assertDeviceType, isDeviceType } from "./device_type.ts";
export { assertSha256, isSha1, isSha256 } from "./digest.ts";
export {
  assertRelativePath,
  isRelativePath,
  MAX_PATH_LENGTH,
  type RelativePathOptions,
} from "./relative_path.ts";
