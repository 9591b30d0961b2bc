/**
 * The radiodan-compatible view of app releases (`releases.json`, `GET /releases`):
 * `{ "<owner/app>": { "<ref>": { commit, file, sha1, sha256, size, updated, serial } } }`,
 * one entry per name and ref. Legacy radiodan clients have no identity, so a staged rollout
 * (DESIGN.md §9) cannot take some of them: the legacy view offers a release only once its signed
 * rollout is at 100% at `now` (a release without one at once). Newest first by serial, a release
 * still below 100% is passed over (no legacy client can run it yet: it was never offered, the
 * signed percent never falls), so they keep the newest release that is at 100%. That release is
 * then the ref's entry, unless they cannot install it (`legacy_release.ts`: they panic on an entry
 * without `sha1` and unpack only gzip) or the edge holds its rollout back (`holds`: paused, halted
 * or a cap below 100): then the ref is left out, never an older release in its place (some
 * clients may run it: an older one would take them back). `{ legacyOnly: false }` lists every
 * name and ref's current release (highest serial), rollouts or not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { releasesDocument } from "./releases_document.ts";
 * const doc = releasesDocument([{ path: "apps/a/b/main/abcdef0.tar.gz", length: 3, url: "targets/apps/a/b/main/x.abcdef0.tar.gz",
 *   hashes: { sha256: "00".repeat(32), sha1: "11".repeat(20) },
 *   custom: { kind: "app", name: "a/b", ref: "main", commit: "abcdef0", serial: 1, updated: "2026-01-01T00:00:00Z" } }],
 *   { now: new Date("2026-01-01T00:00:00Z") });
 * assert.equal(doc["a/b"]?.main?.commit, "abcdef0");
 * ```
 * @module
 */
import { percentAt, type RolloutHold } from "../rollout/mod.ts";
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

/** Options of {@linkcode releasesDocument}: the legacy view (the default) or every current release. */
export type ReleasesDocumentOptions =
  | {
    /** The legacy view (default): what radiodan clients may install now. */
    legacyOnly?: true;
    /**
     * The time the signed rollout steps are read at: the writer's clock, or on the edge its clock
     * bounded by the timestamp's expiry (core/rollout `effectiveNow`).
     */
    now: Date;
    /** The edge's holds by rollout id (`parseRolloutHolds`); a held release is never offered. */
    holds?: Readonly<Record<string, RolloutHold>>;
  }
  | { legacyOnly: false };

/**
 * Build the radiodan view from targets (non-app targets are ignored). `TypeError` for an invalid
 * `now`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { releasesDocument } from "./releases_document.ts";
 * const sha256Only = { path: "apps/a/b/main/abcdef0.tar.gz", length: 3, url: "x", hashes: { sha256: "00".repeat(32) },
 *   custom: { kind: "app", name: "a/b", ref: "main", commit: "abcdef0", serial: 1, updated: "2026-01-01T00:00:00Z" } } as const;
 * assert.deepEqual(releasesDocument([sha256Only], { now: new Date() }), {});
 * assert.equal(releasesDocument([sha256Only], { legacyOnly: false })["a/b"]?.main?.serial, 1);
 * ```
 */
export function releasesDocument(
  targets: Iterable<TargetInfo>,
  options: ReleasesDocumentOptions,
): ReleasesDocument {
  const legacy = options.legacyOnly === false ? undefined : options;
  if (legacy && !(legacy.now instanceof Date && Number.isFinite(legacy.now.getTime()))) {
    throw new TypeError("Cannot build the releases document: now must be a valid Date");
  }
  const doc: ReleasesDocument = {};
  for (const [name, refs] of byNameAndRef(targets)) {
    for (const [ref, releases] of refs) {
      const t = legacy ? legacyChoice(releases, legacy) : releases[0];
      if (t === undefined || t.hashes.sha256 === undefined) continue; // readers verify sha256 (or sha1)
      (doc[name] ??= {})[ref] = entryOf(t as TargetInfo & { hashes: { sha256: string } });
    }
  }
  return doc;
}

/** App targets by name and ref, each list newest first (serial, then path). */
function byNameAndRef(targets: Iterable<TargetInfo>): Map<string, Map<string, TargetInfo[]>> {
  const out = new Map<string, Map<string, TargetInfo[]>>();
  for (const t of targets) {
    if (t.custom.kind !== "app") continue;
    const c = t.custom as AppCustom;
    let refs = out.get(c.name);
    if (!refs) out.set(c.name, refs = new Map());
    let list = refs.get(c.ref);
    if (!list) refs.set(c.ref, list = []);
    list.push(t);
  }
  const serial = (t: TargetInfo) => (t.custom as AppCustom).serial;
  for (const refs of out.values()) {
    for (const list of refs.values()) {
      list.sort((a, b) => serial(b) - serial(a) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    }
  }
  return out;
}

/** The release legacy clients get of one name and ref (newest first), if any. */
function legacyChoice(
  releases: readonly TargetInfo[],
  options: { now: Date; holds?: Readonly<Record<string, RolloutHold>> },
): TargetInfo | undefined {
  // the newest release whose signed rollout reached 100% (older ones are where legacy clients are)
  const chosen = releases.find((t) => {
    const rollout = (t.custom as AppCustom).rollout;
    return rollout === undefined || percentAt(rollout, options.now) >= 100;
  });
  if (chosen === undefined || legacyRefusal(chosen) !== undefined) return undefined;
  const rollout = (chosen.custom as AppCustom).rollout;
  const holds = options.holds;
  const hold = rollout && holds && Object.hasOwn(holds, rollout.id) ? holds[rollout.id] : undefined;
  if (hold && (hold.state === "paused" || hold.state === "halted" || (hold.cap !== null && hold.cap < 100))) {
    return undefined;
  }
  return chosen;
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
