/**
 * TUF target names Drover uses. Every part is checked with the name rules of `core/names` (one
 * safe segment each, at most 128 chars; app names `OWNER/APP`; commits 7-64 lower-case hex), so
 * nothing derived from input names a path outside the repository.
 *
 * - apps: `apps/<owner>/<app>/<ref>/<commit>.tar.gz` (or `.tar`)
 * - images: `images/<slug>/<version>/<variant>/<basename>`
 * - manifests: `manifests/<id>.json`; device types: `device-types.json`
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { appTargetPath, targetUrl } from "./target_paths.ts";
 * const path = appTargetPath({ name: "acme/radio", ref: "main", commit: "abc1234", ext: ".tar.gz" });
 * assert.equal(path, "apps/acme/radio/main/abc1234.tar.gz");
 * assert.ok(targetUrl(path, "ff".repeat(32)).startsWith("targets/apps/acme/radio/main/ffff"));
 * ```
 * @module
 */
import {
  assertAppName,
  assertCommit,
  assertDeviceType,
  assertRef,
  assertRelativePath,
  assertSegment,
} from "../names/mod.ts";

/** The target name of the device-types document. */
export const DEVICE_TYPES_PATH = "device-types.json";

/**
 * Check a whole target path: relative, `/`-separated safe segments.
 *
 * @example
 * ```ts
 * import { assertTargetPath } from "./target_paths.ts";
 * assertTargetPath("images/rpi4/1.0.0/prod/os.img.gz");
 * ```
 */
export function assertTargetPath(path: unknown): asserts path is string {
  assertRelativePath(path, { what: "target path" });
}

/**
 * The target path of an app release.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { appTargetPath } from "./target_paths.ts";
 * assert.equal(appTargetPath({ name: "a/b", ref: "main", commit: "abcdef0" }), "apps/a/b/main/abcdef0.tar.gz");
 * ```
 */
export function appTargetPath(
  app: { name: string; ref: string; commit: string; ext?: ".tar.gz" | ".tar" },
): string {
  assertAppName(app.name);
  assertRef(app.ref);
  assertCommit(app.commit);
  const ext = app.ext ?? ".tar.gz";
  if (ext !== ".tar.gz" && ext !== ".tar") throw new TypeError(`Cannot use archive extension '${ext}'`);
  return `apps/${app.name}/${app.ref}/${app.commit}${ext}`;
}

/**
 * The target path of an OS image.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { imageTargetPath } from "./target_paths.ts";
 * const p = imageTargetPath({ deviceType: "rpi4", version: "1.0.0", variant: "prod", basename: "os.img.gz" });
 * assert.equal(p, "images/rpi4/1.0.0/prod/os.img.gz");
 * ```
 */
export function imageTargetPath(
  image: { deviceType: string; version: string; variant: "prod" | "dev"; basename: string },
): string {
  assertDeviceType(image.deviceType);
  assertSegment(image.version, "version");
  if (image.variant !== "prod" && image.variant !== "dev") {
    throw new TypeError(`Cannot use variant '${String(image.variant)}': expected prod or dev`);
  }
  assertSegment(image.basename, "file name");
  return `images/${image.deviceType}/${image.version}/${image.variant}/${image.basename}`;
}

/**
 * The URL of a target file, relative to the repository root: with consistent snapshots (the
 * default, and what Drover writes) `targets/<dir>/<hash>.<basename>`, where `hash` is the hex of a
 * hash the target lists (sha256, sha384 or sha512); without (`hash` undefined: a root with
 * `consistent_snapshot: false`) plainly `targets/<path>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { targetUrl } from "./target_paths.ts";
 * assert.equal(targetUrl("device-types.json", "ab".repeat(32)), `targets/${"ab".repeat(32)}.device-types.json`);
 * assert.equal(targetUrl("a/b.txt", undefined), "targets/a/b.txt");
 * ```
 */
export function targetUrl(path: string, hash: string | undefined): string {
  assertTargetPath(path);
  if (hash === undefined) return `targets/${path}`;
  if (typeof hash !== "string" || !/^(?:[0-9a-f]{64}|[0-9a-f]{96}|[0-9a-f]{128})$/.test(hash)) {
    throw new TypeError(`Cannot use hash '${hash}': expected 64, 96 or 128 lower-case hex digits`);
  }
  const slash = path.lastIndexOf("/");
  const dir = slash < 0 ? "" : path.slice(0, slash + 1);
  return `targets/${dir}${hash}.${path.slice(slash + 1)}`;
}
