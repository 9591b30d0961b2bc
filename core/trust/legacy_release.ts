/**
 * Whether the original radiodan updater (Go, 2015) can install an app release. It reads the
 * releases document as `{ name: { ref: { commit, file, sha1, … } } }` and asserts `file`, `sha1` and
 * `commit` to be strings (a missing one panics the client, for every app), then runs
 * `tar -C <release> -xzf <file>`: it installs gzip-compressed tar archives only. So the radiodan view
 * ({@linkcode releasesDocument} of `releases_document.ts`) lists a release only when this says yes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { legacyRefusal } from "./legacy_release.ts";
 * const custom = { kind: "app", name: "a/b", ref: "main", commit: "abcdef0", serial: 1, updated: "2026-01-01T00:00:00Z" } as const;
 * const target = { path: "apps/a/b/main/abcdef0.tar.gz", length: 3, url: "x", hashes: { sha256: "00".repeat(32) }, custom };
 * assert.equal(legacyRefusal(target), "it has no sha1 (published with sha256 only)");
 * assert.equal(legacyRefusal({ ...target, hashes: { ...target.hashes, sha1: "11".repeat(20) } }), undefined);
 * ```
 * @module
 */
import { isSha1 } from "../names/mod.ts";
import type { TargetInfo } from "./target_info.ts";

/** File names legacy clients can unpack (`tar -xzf`). */
const GZIP_TAR = /\.(tar\.gz|tgz)$/;

/**
 * Why legacy radiodan clients cannot install `target` (an app release), as a phrase that completes
 * "not offered to legacy clients: …"; `undefined` when they can.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { legacyRefusal } from "./legacy_release.ts";
 * const custom = { kind: "app", name: "a/b", ref: "main", commit: "abcdef0", serial: 1, updated: "2026-01-01T00:00:00Z" } as const;
 * const hashes = { sha256: "00".repeat(32), sha1: "11".repeat(20) };
 * assert.match(legacyRefusal({ path: "apps/a/b/main/abcdef0.tar", length: 3, url: "x", hashes, custom })!, /gzip/);
 * ```
 */
export function legacyRefusal(target: TargetInfo): string | undefined {
  if (target.custom.kind !== "app") return "it is not an app release";
  if (!isSha1(target.hashes.sha1)) return "it has no sha1 (published with sha256 only)";
  if (!GZIP_TAR.test(target.path)) {
    return "it is not a gzip-compressed tar (.tar.gz), and they unpack with tar -xzf";
  }
  return undefined;
}
