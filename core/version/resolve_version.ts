/**
 * Resolve what a user asked for (an exact version, a semver range or a keyword) against the
 * versions on offer.
 *
 * @module
 */
import semver from "semver";
import { NotFoundError, UnsupportedError } from "../errors.ts";
import { rangeBounds, rangeWindow } from "./_range_window.ts";
import {
  describe,
  type Group,
  indexVersions,
  type Item,
  parseBuild,
  type Variant,
  type VersionIndex,
} from "./_version_index.ts";

/** One version on offer (an OS image, a release). Extra fields are carried through untouched. */
export interface VersionEntry {
  /** A semver version; a `v` prefix and build metadata (`2.88.4+rev2`, `2.88.4+rev1.dev`) are allowed. */
  version: string;
  /** Pre-release flag; when absent, a semver pre-release tag (`-beta.1`) decides. */
  prerelease?: boolean;
  /** Image variant; when absent, a `dev`/`prod` build identifier decides, else the entry has none. */
  variant?: "prod" | "dev";
  /**
   * Signed as recommended (`repo add-image --recommended`): `recommended` and `default` take the newest
   * entry so flagged; a pre-release's flag is ignored (`recommended` never means a pre-release).
   */
  recommended?: boolean;
  [k: string]: unknown;
}

/** Options of {@linkcode resolveVersion}. */
export interface ResolveVersionOptions {
  /** Only consider entries of this variant (entries without a variant stay candidates). */
  variant?: "prod" | "dev";
}

const KEYWORDS = ["latest", "recommended", "default"] as const;
type Keyword = typeof KEYWORDS[number];

/** A pre-release tag in a range as the user wrote it (`>=2.89.0-beta.1`, `2.x.x-0`). */
const WRITTEN_PRERELEASE = /[\dxX*]+\.[\dxX*]+\.[\dxX*]+-[0-9A-Za-z]/;

interface ParsedRange {
  range: semver.Range;
  namesPre: boolean;
  bounds: ReturnType<typeof rangeBounds>;
}

const RANGES = new Map<string, ParsedRange>();

function parseRange(request: string): ParsedRange {
  let hit = RANGES.get(request);
  if (hit) return hit;
  let range: semver.Range;
  try {
    range = new semver.Range(request);
  } catch (cause) {
    throw new SyntaxError(
      `Cannot resolve version: '${request}' is not a version, a semver range or one of ${
        KEYWORDS.join(", ")
      }`,
      { cause },
    );
  }
  // As written, not as desugared: semver turns `^2` into `>=2.0.0 <3.0.0-0`.
  const namesPre = WRITTEN_PRERELEASE.test(request);
  hit = { range, namesPre, bounds: rangeBounds(range) };
  if (RANGES.size >= 256) RANGES.clear();
  RANGES.set(request, hit);
  return hit;
}

function fits<T>(item: Item<T>, variant: Variant | undefined): boolean {
  return !variant || !item.variant || item.variant === variant;
}

function suffix(variant: Variant | undefined): string {
  return variant ? ` for the ${variant} variant` : "";
}

function resolveKeyword<T>(index: VersionIndex<T>, options: { keyword: Keyword; variant?: Variant }): T {
  const { keyword, variant } = options;
  if (keyword !== "latest") {
    // the signed recommendation wins; without one, the newest non-pre-release
    for (const item of index.recommended) if (fits(item, variant)) return item.entry;
  }
  let newest: Item<T> | undefined;
  for (const item of index.sorted) {
    if (!fits(item, variant)) continue;
    newest ??= item;
    if (keyword === "latest" || !item.pre) return item.entry;
  }
  if (!newest) {
    throw new NotFoundError(`Cannot resolve '${keyword}': no versions are offered${suffix(variant)}`);
  }
  if (keyword === "default") return newest.entry;
  throw new NotFoundError(
    `Cannot resolve 'recommended': only pre-releases are offered${suffix(variant)} (newest: ${
      describe(newest)
    }); ask for 'latest' or 'default' to accept one`,
  );
}

function resolveExact<T>(
  byKey: Map<string, Group<T>>,
  options: { sv: semver.SemVer; variant?: Variant },
): T {
  const { sv, variant } = options;
  const asked = parseBuild(sv.build, `'${sv.raw}'`);
  if (variant && asked.variant && variant !== asked.variant) {
    throw new TypeError(
      `Cannot resolve version: '${sv.raw}' names the ${asked.variant} variant but the ${variant} variant was asked for`,
    );
  }
  const want = variant ?? asked.variant;
  const rest = asked.rest.join(".");
  const same = byKey.get(sv.version)?.items ?? [];
  for (const item of same) {
    if (!fits(item, want)) continue;
    if (asked.revision !== undefined && item.build.revision !== asked.revision) continue;
    if (rest && item.build.rest.join(".") !== rest) continue;
    return item.entry;
  }
  const offered = same.slice(0, 10).map(describe).join(", ");
  throw new UnsupportedError(
    `Cannot resolve version: ${sv.raw}${want ? ` (${want})` : ""} is not supported` +
      (offered ? ` (offered for ${sv.version}: ${offered}${same.length > 10 ? ", ..." : ""})` : ""),
  );
}

function resolveRange<T>(groups: Group<T>[], options: { request: string; variant?: Variant }): T {
  const { request, variant } = options;
  const { range, namesPre, bounds } = parseRange(request);
  const [start, end] = rangeWindow(groups, bounds);
  for (let i = start; i < end; i++) {
    const group = groups[i]!;
    if (!range.test(group.sv)) continue;
    for (const item of group.items) {
      if (fits(item, variant) && !(item.flagOnlyPre && !namesPre)) return item.entry;
    }
  }
  throw new NotFoundError(`Cannot resolve version: no version satisfies '${request}'${suffix(variant)}`);
}

/**
 * Pick the entry a request means:
 * - an exact version (`2.88.4`, `v2.88.4`, `2.88.4+rev2`, `2.88.4+rev2.dev`): that version, the highest
 *   revision of it unless the request names one; a named revision or variant is never swapped for
 *   another. Not offered: {@linkcode UnsupportedError}.
 * - a semver range (`^2.88`, `>=2.80 <3`): the newest satisfying entry; pre-releases only when the
 *   range names one (semver's default). Nothing satisfies: {@linkcode NotFoundError}.
 * - `latest` (the default): the newest entry, pre-releases included; `recommended`: the newest
 *   entry signed as recommended (`recommended: true`, never a pre-release), else the newest
 *   non-pre-release ({@linkcode NotFoundError} if there are only pre-releases); `default`:
 *   `recommended` if there is one, else `latest`.
 *
 * Order: semver precedence, then revision (`+revN`, none counts as 0), then other build identifiers,
 * then (when no variant is asked for) prod before unspecified before dev, then list order.
 * With `options.variant`, entries of the other variant are left out first.
 * The list is parsed and sorted once and cached while it stays unchanged.
 *
 * Throws `SyntaxError` when the request is neither a version, a range nor a keyword, and `TypeError`
 * on a malformed entry (a non-boolean `prerelease` or `recommended`, an unknown variant) or a request
 * whose variant contradicts `options.variant`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveVersion } from "./resolve_version.ts";
 * const images = [
 *   { version: "2.88.4+rev1", variant: "prod" as const },
 *   { version: "2.88.4+rev2", variant: "prod" as const },
 *   { version: "2.89.0-beta.1", prerelease: true, variant: "prod" as const },
 * ];
 * assert.equal(resolveVersion(images).version, "2.89.0-beta.1");
 * assert.equal(resolveVersion(images, "recommended").version, "2.88.4+rev2");
 * assert.equal(resolveVersion(images, "v2.88.4+rev1").version, "2.88.4+rev1");
 * // a signed recommendation wins over newer versions
 * const flagged = [...images, { version: "2.88.3", variant: "prod" as const, recommended: true }];
 * assert.equal(resolveVersion(flagged, "recommended").version, "2.88.3");
 * assert.equal(resolveVersion(flagged, "default").version, "2.88.3");
 * assert.equal(resolveVersion(images, "^2.80").version, "2.88.4+rev2");
 * ```
 */
export function resolveVersion<T extends VersionEntry>(
  versions: readonly T[],
  versionOrRange: string = "latest",
  options: ResolveVersionOptions = {},
): T {
  if (!Array.isArray(versions)) throw new TypeError("Cannot resolve version: versions must be an array");
  if (typeof versionOrRange !== "string") {
    throw new TypeError("Cannot resolve version: versionOrRange must be a string");
  }
  const variant = options.variant;
  if (variant !== undefined && variant !== "prod" && variant !== "dev") {
    throw new TypeError(`Cannot resolve version: unknown variant '${String(variant)}' (prod or dev)`);
  }
  const request = versionOrRange.trim();
  if (request === "") throw new SyntaxError("Cannot resolve version: the request is empty");
  const index = indexVersions(versions);
  const keyword = request.toLowerCase();
  if ((KEYWORDS as readonly string[]).includes(keyword)) {
    return resolveKeyword(index, { keyword: keyword as Keyword, variant });
  }
  const exact = semver.parse(request);
  if (exact) return resolveExact(index.byKey, { sv: exact, variant });
  return resolveRange(index.groups, { request, variant });
}
