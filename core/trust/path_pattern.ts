/**
 * TUF path patterns of delegated roles (spec "delegations": PATHPATTERN). Shell-style wildcards
 * matched one `/`-separated segment at a time, as the specification asks ("a path separator in a
 * path SHOULD NOT be matched by a wildcard") and as python-tuf and tuf-js do: the pattern and the
 * path must have the same number of segments; in a segment `*` matches any run of characters,
 * `?` one character, `[abc]`, `[a-z]` and `[!abc]` one character of (or not of) a set.
 *
 * Drover's app targets have five segments (`apps/<owner>/<app>/<ref>/<commit>.tar.gz`), so the
 * pattern of one owner's apps is `apps/<owner>/` followed by three `*` segments.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matchPathPattern } from "./path_pattern.ts";
 * assert.ok(matchPathPattern("apps/acme/radio/main/abc1234.tar.gz", "apps/acme/*\/*\/*"));
 * assert.ok(!matchPathPattern("apps/acme/radio/main/abc1234.tar.gz", "apps/acme/*"));
 * ```
 * @module
 */

const compiled = new Map<string, RegExp[]>();

/**
 * True when target `path` matches `pattern` (see the module documentation).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matchPathPattern } from "./path_pattern.ts";
 * assert.ok(matchPathPattern("targets/foo.tgz", "targets/*.tgz"));
 * assert.ok(matchPathPattern("foo-version-2.tgz", "foo-version-?.tgz"));
 * assert.ok(!matchPathPattern("targets/foo.tgz", "*.tgz"));
 * ```
 */
export function matchPathPattern(path: string, pattern: string): boolean {
  let segments = compiled.get(pattern);
  if (!segments) {
    segments = pattern.split("/").map(segmentRegExp);
    if (compiled.size > 4096) compiled.clear();
    compiled.set(pattern, segments);
  }
  const parts = path.split("/");
  return parts.length === segments.length && parts.every((part, i) => segments[i]!.test(part));
}

/** One pattern segment as an anchored regular expression (fnmatch rules, `/` never matched). */
function segmentRegExp(segment: string): RegExp {
  let out = "";
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else if (c === "[") {
      const end = classEnd(segment, i);
      if (end < 0) {
        out += "\\[";
        continue;
      }
      let body = segment.slice(i + 1, end);
      const negate = body.startsWith("!");
      if (negate) body = body.slice(1);
      out += `[${negate ? "^/" : ""}${body.replace(/[\\\]^]/g, "\\$&")}]`;
      i = end;
    } else out += c.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
  }
  return new RegExp(`^${out}$`, "s");
}

/** Index of the `]` closing the set opened at `start` (a leading `]` or `!]` is literal), or -1. */
function classEnd(segment: string, start: number): number {
  let j = start + 1;
  if (segment[j] === "!") j++;
  if (segment[j] === "]") j++;
  const end = segment.indexOf("]", j);
  return end;
}
