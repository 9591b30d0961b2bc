/**
 * Private helper of `resolve_version.ts`: the slice of a newest-first version list that a semver
 * range can match, found by binary search on the range's bounds, so a range is tested against the
 * few versions near its upper bound instead of the whole list.
 *
 * @module
 */
import semver from "semver";

interface Bound {
  sv: semver.SemVer;
  inclusive: boolean;
}

/** Upper and lower bounds of one comparator set; `undefined` is unbounded. */
function setBounds(set: readonly semver.Comparator[]): { hi?: Bound; lo?: Bound } {
  let hi: Bound | undefined;
  let lo: Bound | undefined;
  for (const c of set) {
    const sv = c.semver as semver.SemVer | undefined;
    if (!sv || typeof sv.compare !== "function") continue; // ANY
    const op = c.operator;
    if (op === "<" || op === "<=" || op === "" || op === "=") {
      const inclusive = op !== "<";
      const cmp = hi ? sv.compare(hi.sv) : -1;
      if (cmp < 0 || (cmp === 0 && !inclusive)) hi = { sv, inclusive };
    }
    if (op === ">" || op === ">=" || op === "" || op === "=") {
      const inclusive = op !== ">";
      const cmp = lo ? sv.compare(lo.sv) : 1;
      if (cmp > 0 || (cmp === 0 && !inclusive)) lo = { sv, inclusive };
    }
  }
  return { hi, lo };
}

/** Bounds of a whole range (the union of its sets); `undefined` is unbounded. */
export function rangeBounds(range: semver.Range): { hi?: Bound; lo?: Bound } {
  let hi: Bound | undefined;
  let lo: Bound | undefined;
  let unboundedHi = false;
  let unboundedLo = false;
  for (const set of range.set) {
    const b = setBounds(set);
    if (!b.hi) unboundedHi = true;
    else if (!hi || b.hi.sv.compare(hi.sv) > 0 || (b.hi.sv.compare(hi.sv) === 0 && b.hi.inclusive)) hi = b.hi;
    if (!b.lo) unboundedLo = true;
    else if (!lo || b.lo.sv.compare(lo.sv) < 0 || (b.lo.sv.compare(lo.sv) === 0 && b.lo.inclusive)) lo = b.lo;
  }
  return { hi: unboundedHi ? undefined : hi, lo: unboundedLo ? undefined : lo };
}

/**
 * `[start, end)` of the newest-first `versions` that lie within the bounds (a superset of what the
 * range matches: callers still test each one).
 */
export function rangeWindow(
  versions: readonly { sv: semver.SemVer }[],
  bounds: { hi?: Bound; lo?: Bound },
): [number, number] {
  const { hi, lo } = bounds;
  // first index whose version is at or below hi
  const start = hi
    ? search(versions, (v) => (hi.inclusive ? v.compare(hi.sv) <= 0 : v.compare(hi.sv) < 0))
    : 0;
  // first index whose version is below lo
  const end = lo
    ? search(versions, (v) => (lo.inclusive ? v.compare(lo.sv) < 0 : v.compare(lo.sv) <= 0))
    : versions.length;
  return [start, Math.max(start, end)];
}

/** First index where `below` holds, for a predicate that is false then true along the list. */
function search(versions: readonly { sv: semver.SemVer }[], below: (v: semver.SemVer) => boolean): number {
  let lo = 0;
  let hi = versions.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (below(versions[mid]!.sv)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
