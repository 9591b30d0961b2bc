/**
 * The radiodan-compatible view of app releases (`releases.json`, `GET /releases`):
 * `{ "<owner/app>": { "<ref>": { commit, file, sha1, sha256, size, updated, serial } } }`,
 * one entry per name and ref: the release with the highest serial.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { releasesDocument } from "./releases_document.ts";
 * const doc = releasesDocument([{ path: "apps/a/b/main/abcdef0.tar.gz", length: 3, url: "targets/apps/a/b/main/x.abcdef0.tar.gz",
 *   hashes: { sha256: "00".repeat(32) }, custom: { kind: "app", name: "a/b", ref: "main", commit: "abcdef0", serial: 1, updated: "2026-01-01T00:00:00Z" } }]);
 * assert.equal(doc["a/b"]?.main?.commit, "abcdef0");
 * ```
 * @module
 */
import type { AppCustom, TargetInfo } from "./target_info.ts";

/** One release in the radiodan view. */
export interface ReleaseEntry {
  commit: string;
  /** URL relative to the repository root (the consistent-snapshot target URL). */
  file: string;
  sha1?: string;
  sha256: string;
  size: number;
  updated: string;
  serial: number;
  version?: string;
}

/** name -> ref -> release. */
export type ReleasesDocument = Record<string, Record<string, ReleaseEntry>>;

/**
 * Build the radiodan view from targets (non-app targets are ignored).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { releasesDocument } from "./releases_document.ts";
 * assert.equal(Object.keys(releasesDocument([])).length, 0);
 * ```
 */
export function releasesDocument(targets: Iterable<TargetInfo>): ReleasesDocument {
  const doc: ReleasesDocument = {};
  const sorted = [...targets].filter((t) => t.custom.kind === "app")
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const t of sorted) {
    const c = t.custom as AppCustom;
    const refs = (doc[c.name] ??= {});
    const prev = refs[c.ref];
    if (prev && prev.serial >= c.serial) continue;
    const entry: ReleaseEntry = {
      commit: c.commit,
      file: t.url,
      sha256: t.hashes.sha256,
      size: t.length,
      updated: c.updated,
      serial: c.serial,
    };
    if (t.hashes.sha1) entry.sha1 = t.hashes.sha1;
    if (c.version) entry.version = c.version;
    refs[c.ref] = entry;
  }
  return doc;
}
