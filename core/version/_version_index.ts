/**
 * Private helper of `resolve_version.ts`: parses a list of version entries once, sorts it once
 * (newest first) and caches the result per list, so that repeated resolutions over the same list
 * cost a validation pass and an early-exit scan instead of thousands of semver parses.
 *
 * @module
 */
import semver from "semver";

/** Image variants. */
export type Variant = "prod" | "dev";

/** Build metadata split into what Drover understands (`revN`, `dev`/`prod`) and the rest. */
export interface ParsedBuild {
  /** `N` of a `revN` identifier, if any. */
  revision?: number;
  /** `dev` or `prod` if named in the build metadata. */
  variant?: Variant;
  /** The remaining build identifiers, in order. */
  rest: string[];
}

/** One entry of the list, parsed. */
export interface Item<T> {
  entry: T;
  index: number;
  sv: semver.SemVer;
  /** `major.minor.patch[-pre]`, without `v` prefix and build metadata. */
  key: string;
  build: ParsedBuild;
  variant?: Variant;
  /** Pre-release by flag, or by a semver pre-release tag when there is no flag. */
  pre: boolean;
  /** Pre-release by flag only (no semver tag): a range must name a pre-release to match it. */
  flagOnlyPre: boolean;
  /** Signed as recommended (`recommended: true`) and not a pre-release: what `recommended` prefers. */
  recommended: boolean;
  /** Tie-break when no variant is asked for: prod, then unspecified, then dev. */
  variantRank: number;
  /** What the entry held when parsed (to detect mutation of a cached list). */
  seenVersion: string;
  seenPrerelease: unknown;
  seenVariant: unknown;
  seenRecommended: unknown;
}

/** Entries of one semver version (`key`), newest first. */
export interface Group<T> {
  sv: semver.SemVer;
  items: Item<T>[];
}

/** A parsed, sorted view of a list. */
export interface VersionIndex<T> {
  /** Items in input order. */
  items: Item<T>[];
  /** Items newest first (semver precedence, then revision, then build, then variant, then input order). */
  sorted: Item<T>[];
  /** One group per distinct version, newest first (ranges test each version once). */
  groups: Group<T>[];
  /** Groups by `key`. */
  byKey: Map<string, Group<T>>;
  /** The items flagged recommended (never a pre-release), newest first: usually a handful. */
  recommended: Item<T>[];
}

const REVISION = /^rev(\d+)$/i;

/** Split build identifiers; throws TypeError on `dev` and `prod` both present. */
export function parseBuild(build: readonly string[], what: string): ParsedBuild {
  const parsed: ParsedBuild = { rest: [] };
  for (const id of build) {
    const lower = id.toLowerCase();
    const rev = REVISION.exec(id);
    if (rev && parsed.revision === undefined) {
      parsed.revision = Number(rev[1]);
    } else if (lower === "dev" || lower === "prod") {
      if (parsed.variant && parsed.variant !== lower) {
        throw new TypeError(`Cannot resolve version: ${what} names both the dev and prod variants`);
      }
      parsed.variant = lower;
    } else {
      parsed.rest.push(id);
    }
  }
  return parsed;
}

/** Numeric-aware comparison of identifier lists (semver rules), ascending. */
export function compareIdentifiers(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = semver.compareIdentifiers(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function compareNewestFirst<T>(a: Item<T>, b: Item<T>): number {
  return b.sv.compare(a.sv) ||
    (b.build.revision ?? 0) - (a.build.revision ?? 0) ||
    compareIdentifiers(b.build.rest, a.build.rest) ||
    a.variantRank - b.variantRank ||
    a.index - b.index;
}

const RANK: Record<string, number> = { prod: 0, dev: 2 };

/** Parsed versions by string: lists rebuilt from the same strings skip the regex parse. */
const PARSED = new Map<string, { sv: semver.SemVer; build?: ParsedBuild } | null>();
const PARSED_MAX = 100_000;

function parseCached(version: string): { sv: semver.SemVer; build?: ParsedBuild } | null {
  let hit = PARSED.get(version);
  if (hit !== undefined) return hit;
  const sv = semver.parse(version);
  hit = null;
  if (sv) {
    hit = { sv };
    try {
      hit.build = parseBuild(sv.build, version);
    } catch {
      // contradictory build metadata: parseEntry reports it with the entry's index
    }
  }
  if (PARSED.size >= PARSED_MAX) PARSED.clear();
  PARSED.set(version, hit);
  return hit;
}

/** What an entry must have to be indexed. */
type Indexable = { version: string; prerelease?: boolean; variant?: string; recommended?: boolean };

function parseEntry<T extends Indexable>(
  entry: T,
  index: number,
): Item<T> {
  if (entry === null || typeof entry !== "object") {
    throw new TypeError(`Cannot resolve version: entry ${index} is not an object`);
  }
  const { version, prerelease, variant, recommended } = entry;
  const parsed = typeof version === "string" ? parseCached(version) : null;
  if (!parsed) {
    throw new TypeError(`Cannot resolve version: entry ${index} has an invalid version '${String(version)}'`);
  }
  const sv = parsed.sv;
  if (prerelease !== undefined && typeof prerelease !== "boolean") {
    throw new TypeError(`Cannot resolve version: entry ${index} (${version}) has a non-boolean prerelease`);
  }
  if (recommended !== undefined && typeof recommended !== "boolean") {
    throw new TypeError(`Cannot resolve version: entry ${index} (${version}) has a non-boolean recommended`);
  }
  if (variant !== undefined && variant !== "prod" && variant !== "dev") {
    throw new TypeError(
      `Cannot resolve version: entry ${index} (${version}) has unknown variant '${variant}'`,
    );
  }
  const build = parsed.build ?? parseBuild(sv.build, `entry ${index} (${version})`);
  if (variant && build.variant && variant !== build.variant) {
    throw new TypeError(
      `Cannot resolve version: entry ${index} (${version}) is variant '${variant}' but its version says '${build.variant}'`,
    );
  }
  const v = variant ?? build.variant;
  const pre = prerelease ?? sv.prerelease.length > 0;
  return {
    entry,
    index,
    sv,
    key: sv.version,
    build,
    variant: v,
    pre,
    flagOnlyPre: pre && sv.prerelease.length === 0,
    recommended: recommended === true && !pre,
    variantRank: v ? RANK[v]! : 1,
    seenVersion: version,
    seenPrerelease: prerelease,
    seenVariant: variant,
    seenRecommended: recommended,
  };
}

function build<T extends Indexable>(
  list: readonly T[],
): VersionIndex<T> {
  const items = list.map((e, i) => parseEntry(e, i));
  const sorted = items.slice().sort(compareNewestFirst);
  const groups: Group<T>[] = [];
  const byKey = new Map<string, Group<T>>();
  for (const item of sorted) {
    const same = byKey.get(item.key);
    if (same) {
      same.items.push(item);
    } else {
      const group = { sv: item.sv, items: [item] };
      groups.push(group);
      byKey.set(item.key, group);
    }
  }
  return { items, sorted, groups, byKey, recommended: sorted.filter((item) => item.recommended) };
}

function unchanged<T extends Indexable>(
  list: readonly T[],
  index: VersionIndex<T>,
): boolean {
  const items = index.items;
  if (items.length !== list.length) return false;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const e = list[i];
    if (
      e !== item.entry || e.version !== item.seenVersion || e.prerelease !== item.seenPrerelease ||
      e.variant !== item.seenVariant || e.recommended !== item.seenRecommended
    ) return false;
  }
  return true;
}

// deno-lint-ignore no-explicit-any
const CACHE = new WeakMap<readonly object[], VersionIndex<any>>();

/**
 * The parsed, sorted index of `list`, cached per list object. A cached index is reused only if
 * the list still holds the same entries with the same `version`, `prerelease`, `variant` and
 * `recommended`.
 */
export function indexVersions<T extends Indexable>(
  list: readonly T[],
): VersionIndex<T> {
  const cached = CACHE.get(list) as VersionIndex<T> | undefined;
  if (cached && unchanged(list, cached)) return cached;
  const fresh = build(list);
  CACHE.set(list, fresh);
  return fresh;
}

/** `2.88.4+rev2 (dev)`: how an item is named in messages. */
export function describe<T>(item: Item<T>): string {
  return item.variant ? `${item.sv.raw.trim()} (${item.variant})` : item.sv.raw.trim();
}
