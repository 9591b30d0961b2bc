/**
 * The radiodan-compatible view of app releases (`releases.json`, `GET /releases`):
 * `{ "<owner/app>": { "<ref>": { commit, file, sha1, sha256, size, updated, serial } } }`,
 * one entry per name and ref: the release with the highest serial. Legacy radiodan clients panic on
 * an entry without `sha1` and unpack only gzip (`legacy_release.ts`), so by default a name and ref
 * whose current release they cannot install is left out (never an older release in its place: that
 * could take a device back); `{ legacyOnly: false }` lists every current release.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { releasesDocument } from "./releases_document.ts";
 * const doc = releasesDocument([{ path: "apps/a/b/main/abcdef0.tar.gz", length: 3, url: "targets/apps/a/b/main/x.abcdef0.tar.gz",
 *   hashes: { sha256: "00".repeat(32), sha1: "11".repeat(20) },
 *   custom: { kind: "app", name: "a/b", ref: "main", commit: "abcdef0", serial: 1, updated: "2026-01-01T00:00:00Z" } }]);
 * assert.equal(doc["a/b"]?.main?.commit, "abcdef0");
 * ```
 * @module
 */
import { legacyRefusal } from "./legacy_release.ts";
import type { AppCustom, TargetInfo } from "./target_info.ts";

/** One release in the radiodan view. */
export interface ReleaseEntry {
  commit: string;
  /** URL relative to the repository root (the consistent-snapshot target URL). */
  file: string;
  /** Always present in the legacy view (`legacyOnly`, the default). */
  sha1?: string;
  sha256: string;
  size: number;
  updated: string;
  serial: number;
  version?: string;
}

/** name -> ref -> release. */
export type ReleasesDocument = Record<string, Record<string, ReleaseEntry>>;

/** Options of {@linkcode releasesDocument}. */
export interface ReleasesDocumentOptions {
  /** Leave out a name and ref whose current release legacy clients cannot install (default true). */
  legacyOnly?: boolean;
}

/**
 * Build the radiodan view from targets (non-app targets are ignored).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { releasesDocument } from "./releases_document.ts";
 * const sha256Only = { path: "apps/a/b/main/abcdef0.tar.gz", length: 3, url: "x", hashes: { sha256: "00".repeat(32) },
 *   custom: { kind: "app", name: "a/b", ref: "main", commit: "abcdef0", serial: 1, updated: "2026-01-01T00:00:00Z" } } as const;
 * assert.deepEqual(releasesDocument([sha256Only]), {});
 * assert.equal(releasesDocument([sha256Only], { legacyOnly: false })["a/b"]?.main?.serial, 1);
 * ```
 */
export function releasesDocument(
  targets: Iterable<TargetInfo>,
  options: ReleasesDocumentOptions = {},
): ReleasesDocument {
  const current = new Map<string, Map<string, TargetInfo>>();
  const sorted = [...targets].filter((t) => t.custom.kind === "app")
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const t of sorted) {
    const c = t.custom as AppCustom;
    let refs = current.get(c.name);
    if (!refs) current.set(c.name, refs = new Map());
    const prev = refs.get(c.ref);
    if (!prev || (prev.custom as AppCustom).serial < c.serial) refs.set(c.ref, t);
  }
  const doc: ReleasesDocument = {};
  for (const [name, refs] of current) {
    for (const [ref, t] of refs) {
      if (options.legacyOnly !== false && legacyRefusal(t) !== undefined) continue;
      if (t.hashes.sha256 === undefined) continue; // the document's readers verify sha256 (or sha1)
      (doc[name] ??= {})[ref] = entryOf(t as TargetInfo & { hashes: { sha256: string } });
    }
  }
  return doc;
}

function entryOf(t: TargetInfo & { hashes: { sha256: string } }): ReleaseEntry {
  const c = t.custom as AppCustom;
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
  return entry;
}
