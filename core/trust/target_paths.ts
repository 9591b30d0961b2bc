/**
 * TUF target names Drover uses, and the checks that keep anything derived from input inside
 * the repository: every path segment matches `^[A-Za-z0-9][A-Za-z0-9._+-]*$` (at most 128 chars).
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

/** One safe path segment. */
export const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
/** A git commit (or other content id): 7 to 64 lower-case hex digits. */
export const COMMIT = /^[0-9a-f]{7,64}$/;
/** The target name of the device-types document. */
export const DEVICE_TYPES_PATH = "device-types.json";

/**
 * Check one path segment; `TypeError` naming `what` when it is not safe.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assertSegment } from "./target_paths.ts";
 * assertSegment("v1.2.3+rev2", "version");
 * try { assertSegment("..", "ref"); } catch (e) { assert.ok(e instanceof TypeError); }
 * ```
 */
export function assertSegment(value: unknown, what: string): asserts value is string {
  if (typeof value !== "string" || value.length > 128 || !SEGMENT.test(value)) {
    throw new TypeError(
      `Cannot use ${what} '${String(value)}': expected ${SEGMENT.source}, at most 128 chars`,
    );
  }
}

/**
 * Check an app name `owner/app`.
 *
 * @example
 * ```ts
 * import { assertAppName } from "./target_paths.ts";
 * assertAppName("acme/radio");
 * ```
 */
export function assertAppName(name: unknown): asserts name is string {
  const parts = typeof name === "string" ? name.split("/") : [];
  if (parts.length !== 2) throw new TypeError(`Cannot use app name '${String(name)}': expected OWNER/APP`);
  for (const p of parts) assertSegment(p, "app name part");
}

/**
 * Check a commit id (7-64 lower-case hex).
 *
 * @example
 * ```ts
 * import { assertCommit } from "./target_paths.ts";
 * assertCommit("0123abc");
 * ```
 */
export function assertCommit(commit: unknown): asserts commit is string {
  if (typeof commit !== "string" || !COMMIT.test(commit)) {
    throw new TypeError(`Cannot use commit '${String(commit)}': expected 7 to 64 lower-case hex digits`);
  }
}

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
  if (typeof path !== "string" || path.length === 0 || path.length > 1024) {
    throw new TypeError(`Cannot use target path '${String(path)}': empty or too long`);
  }
  for (const seg of path.split("/")) assertSegment(seg, `segment of target path '${path}'`);
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
  assertSegment(app.ref, "ref");
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
  assertSegment(image.deviceType, "device type");
  assertSegment(image.version, "version");
  if (image.variant !== "prod" && image.variant !== "dev") {
    throw new TypeError(`Cannot use variant '${String(image.variant)}': expected prod or dev`);
  }
  assertSegment(image.basename, "file name");
  return `images/${image.deviceType}/${image.version}/${image.variant}/${image.basename}`;
}

/**
 * The consistent-snapshot URL of a target, relative to the repository root:
 * `targets/<dir>/<sha256>.<basename>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { targetUrl } from "./target_paths.ts";
 * assert.equal(targetUrl("device-types.json", "ab".repeat(32)), `targets/${"ab".repeat(32)}.device-types.json`);
 * ```
 */
export function targetUrl(path: string, sha256: string): string {
  assertTargetPath(path);
  if (!/^[0-9a-f]{64}$/.test(sha256)) {
    throw new TypeError(`Cannot use sha256 '${sha256}': expected 64 hex digits`);
  }
  const slash = path.lastIndexOf("/");
  const dir = slash < 0 ? "" : path.slice(0, slash + 1);
  return `targets/${dir}${sha256}.${path.slice(slash + 1)}`;
}
