import assert from "node:assert/strict";
import semver from "semver";
import { NotFoundError, UnsupportedError } from "../errors.ts";
import { resolveVersion, type VersionEntry } from "./resolve_version.ts";

type Entry = VersionEntry & { id: string };

function e(version: string, options: { variant?: "prod" | "dev"; prerelease?: boolean } = {}): Entry {
  const { variant, prerelease } = options;
  const entry: Entry = { id: `${version}${variant ? `/${variant}` : ""}`, version };
  if (variant) entry.variant = variant;
  if (prerelease !== undefined) entry.prerelease = prerelease;
  return entry;
}

/** A balena-like image list: revisions, both variants, a tagged and a flag-only pre-release. */
const IMAGES: Entry[] = [
  e("2.80.3+rev1", { variant: "prod" }),
  e("2.80.3+rev1", { variant: "dev" }),
  e("v2.85.2+rev3", { variant: "prod" }),
  e("2.85.2+rev3", { variant: "dev" }),
  e("2.88.4+rev1", { variant: "prod" }),
  e("2.88.4+rev2", { variant: "prod" }),
  e("2.88.4+rev1", { variant: "dev" }),
  e("2.89.0-beta.1+rev1", { variant: "prod", prerelease: true }),
  e("2.90.0+rev1", { variant: "prod", prerelease: true }),
  e("2.90.0+rev1", { variant: "dev", prerelease: true }),
];
const PRE_ONLY: Entry[] = [
  e("3.0.0-rc.1", { variant: "prod", prerelease: true }),
  e("3.0.0-rc.2", { variant: "prod", prerelease: true }),
];
const PROD_ONLY: Entry[] = [e("1.0.0", { variant: "prod" }), e("1.1.0", { variant: "prod" })];
const MIXED: Entry[] = [e("1.0.0", { variant: "prod" }), e("1.1.0"), e("1.2.0", { variant: "dev" })];
const PLAIN_AND_REV: Entry[] = [e("2.88.4+rev1"), e("2.88.4")];
const BUILDS: Entry[] = [e("1.0.0+build.9"), e("1.0.0+build.10"), e("1.0.0+build.2")];
const FLAG_FALSE: Entry[] = [e("1.0.0"), e("1.1.0-hotfix.1", { prerelease: false })];
const TAG_ONLY: Entry[] = [e("1.0.0"), e("1.1.0-beta.1")];

interface Case {
  name: string;
  list?: Entry[];
  request?: string;
  variant?: "prod" | "dev";
  /** The id of the expected entry, or the error class and a message pattern. */
  expect: string | [ErrorConstructor | typeof NotFoundError | typeof UnsupportedError, RegExp];
}

const CASES: Case[] = [
  // keywords
  { name: "no request means latest, pre-releases included, prod first on a tie", expect: "2.90.0+rev1/prod" },
  { name: "'latest' is the newest incl. pre-releases", request: "latest", expect: "2.90.0+rev1/prod" },
  { name: "'latest' with the dev variant", request: "latest", variant: "dev", expect: "2.90.0+rev1/dev" },
  { name: "keywords are case-insensitive", request: " LATEST ", expect: "2.90.0+rev1/prod" },
  { name: "'recommended' is the newest non-pre-release", request: "recommended", expect: "2.88.4+rev2/prod" },
  {
    name: "'recommended' with dev picks the dev line",
    request: "recommended",
    variant: "dev",
    expect: "2.88.4+rev1/dev",
  },
  {
    name: "'recommended' is rejected when only pre-releases exist",
    list: PRE_ONLY,
    request: "recommended",
    expect: [NotFoundError, /only pre-releases .*newest: 3\.0\.0-rc\.2/],
  },
  { name: "'default' is recommended when there is one", request: "default", expect: "2.88.4+rev2/prod" },
  { name: "'default' falls back to latest", list: PRE_ONLY, request: "default", expect: "3.0.0-rc.2/prod" },
  {
    name: "'recommended' skips an untagged version flagged pre-release",
    request: "recommended",
    expect: "2.88.4+rev2/prod",
  },
  {
    name: "'recommended' skips a semver-tagged version without a flag",
    list: TAG_ONLY,
    request: "recommended",
    expect: "1.0.0",
  },
  {
    name: "an explicit prerelease:false wins over a semver tag",
    list: FLAG_FALSE,
    request: "recommended",
    expect: "1.1.0-hotfix.1",
  },
  // exact versions
  {
    name: "exact version without revision gives its highest revision",
    request: "2.88.4",
    expect: "2.88.4+rev2/prod",
  },
  {
    name: "exact version with dev gives the dev build, never prod",
    request: "2.88.4",
    variant: "dev",
    expect: "2.88.4+rev1/dev",
  },
  { name: "exact revision rev1 is not upgraded to rev2", request: "2.88.4+rev1", expect: "2.88.4+rev1/prod" },
  { name: "exact revision rev2 is returned", request: "2.88.4+rev2", expect: "2.88.4+rev2/prod" },
  {
    name: "exact rev2 of dev is refused rather than swapped for rev1 dev or rev2 prod",
    request: "2.88.4+rev2",
    variant: "dev",
    expect: [UnsupportedError, /2\.88\.4\+rev2 \(dev\) is not supported .*2\.88\.4\+rev1 \(dev\)/],
  },
  {
    name: "exact revision not offered is unsupported",
    request: "2.88.4+rev3",
    expect: [UnsupportedError, /2\.88\.4\+rev3 is not supported/],
  },
  { name: "a v prefix on the request is normalised", request: "v2.88.4", expect: "2.88.4+rev2/prod" },
  { name: "a v prefix on the entry is normalised", request: "2.85.2+rev3", expect: "v2.85.2+rev3/prod" },
  {
    name: "a variant in the build metadata selects it",
    request: "2.88.4+rev1.dev",
    expect: "2.88.4+rev1/dev",
  },
  {
    name: "a bare variant in the build metadata selects it",
    request: "v2.88.4+dev",
    expect: "2.88.4+rev1/dev",
  },
  {
    name: "a request variant contradicting options.variant is a TypeError",
    request: "2.88.4+rev1.dev",
    variant: "prod",
    expect: [TypeError, /names the dev variant but the prod variant/],
  },
  {
    name: "exact version not offered is unsupported",
    request: "2.81.0",
    expect: [UnsupportedError, /2\.81\.0/],
  },
  {
    name: "exact version on an empty list is unsupported",
    list: [],
    request: "1.0.0",
    expect: [UnsupportedError, /not supported/],
  },
  {
    name: "exact version on a prod-only list with dev is unsupported",
    list: PROD_ONLY,
    request: "1.1.0",
    variant: "dev",
    expect: [UnsupportedError, /1\.1\.0 \(dev\)/],
  },
  { name: "no revision counts as revision 0", list: PLAIN_AND_REV, request: "2.88.4", expect: "2.88.4+rev1" },
  {
    name: "an exact pre-release version is found",
    request: "2.89.0-beta.1",
    expect: "2.89.0-beta.1+rev1/prod",
  },
  {
    name: "other build metadata must match exactly",
    list: BUILDS,
    request: "1.0.0+build.9",
    expect: "1.0.0+build.9",
  },
  // ranges
  {
    name: "caret range: newest satisfying, pre-releases skipped",
    request: "^2.80.0",
    expect: "2.88.4+rev2/prod",
  },
  { name: "tilde range", request: "~2.85", expect: "v2.85.2+rev3/prod" },
  { name: "x-range with the dev variant", request: "2.80.x", variant: "dev", expect: "2.80.3+rev1/dev" },
  { name: "partial version is a range", request: "2.88", expect: "2.88.4+rev2/prod" },
  { name: "'*' excludes pre-releases", request: "*", expect: "2.88.4+rev2/prod" },
  { name: "union range", request: "2.80.3 || 2.85.2", expect: "v2.85.2+rev3/prod" },
  {
    name: "a range naming a pre-release admits pre-releases",
    request: ">=2.89.0-beta.0 <2.90.0",
    expect: "2.89.0-beta.1+rev1/prod",
  },
  {
    name: "a range naming a pre-release admits flag-only pre-releases",
    request: ">=2.89.0-0",
    expect: "2.90.0+rev1/prod",
  },
  { name: "range build metadata is ignored", request: ">=2.88.4+rev1 <2.88.5", expect: "2.88.4+rev2/prod" },
  {
    name: "'=' prefixed version is a range",
    request: "=2.81.0",
    expect: [NotFoundError, /no version satisfies/],
  },
  { name: "nothing above", request: "^3", expect: [NotFoundError, /no version satisfies '\^3'/] },
  { name: "nothing below", request: "<2.80.0", expect: [NotFoundError, /no version satisfies/] },
  {
    name: "a range with only the other variant",
    list: PROD_ONLY,
    request: "^1",
    variant: "dev",
    expect: [NotFoundError, /dev variant/],
  },
  { name: "numeric build identifiers order numerically", list: BUILDS, expect: "1.0.0+build.10" },
  // variants
  { name: "entries without a variant stay candidates", list: MIXED, variant: "prod", expect: "1.1.0" },
  {
    name: "entries of the other variant are filtered first",
    list: MIXED,
    variant: "dev",
    expect: "1.2.0/dev",
  },
  {
    name: "latest with the dev variant on a prod-only list",
    list: PROD_ONLY,
    variant: "dev",
    expect: [NotFoundError, /no versions are offered for the dev variant/],
  },
  { name: "latest on an empty list", list: [], expect: [NotFoundError, /no versions are offered/] },
  // bad requests
  { name: "not a version, range or keyword", request: "newest", expect: [SyntaxError, /'newest' is not/] },
  { name: "empty request", request: "  ", expect: [SyntaxError, /empty/] },
  {
    name: "old dotted variant syntax is refused",
    request: "2.88.4.dev",
    expect: [SyntaxError, /not a version/],
  },
];

for (const c of CASES) {
  const request = c.request === undefined ? "" : ` '${c.request}'`;
  Deno.test(`resolveVersion()${request}${c.variant ? ` (${c.variant})` : ""}: ${c.name}`, () => {
    const list = c.list ?? IMAGES;
    const run = () =>
      c.variant ? resolveVersion(list, c.request, { variant: c.variant }) : resolveVersion(list, c.request);
    if (typeof c.expect === "string") {
      assert.equal(run().id, c.expect);
    } else {
      const [type, message] = c.expect;
      assert.throws(run, (err: unknown) => {
        assert.ok(err instanceof type, `expected ${type.name}, got ${String(err)}`);
        assert.equal((err as Error).constructor, type);
        assert.match((err as Error).message, /^Cannot /);
        assert.match((err as Error).message, message);
        return true;
      });
    }
  });
}

Deno.test("resolveVersion() errors carry stable codes: unsupported is not 'not found'", () => {
  const unsupported = (() => {
    try {
      resolveVersion(IMAGES, "9.9.9");
    } catch (err) {
      return err;
    }
  })();
  assert.ok(unsupported instanceof UnsupportedError && !(unsupported instanceof NotFoundError));
  assert.equal(unsupported.code, "E_UNSUPPORTED");
  assert.throws(
    () => resolveVersion(IMAGES, "^9"),
    (err: unknown) => (err as NotFoundError).code === "E_NOT_FOUND",
  );
});

Deno.test("resolveVersion() returns the very entry object, extra fields intact", () => {
  const list = [{ version: "1.0.0", url: "a" }, { version: "1.2.0", url: "b", sha256: "x" }];
  assert.equal(resolveVersion(list, "^1"), list[1]);
  assert.equal(resolveVersion(list, "^1").url, "b");
});

Deno.test("resolveVersion() picks the same entry whatever the input order", () => {
  const ids = new Set<string>();
  const exact = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const shuffled = shuffle(IMAGES, i + 1);
    ids.add(resolveVersion(shuffled).id);
    exact.add(resolveVersion(shuffled, "2.88.4+rev1").id);
  }
  assert.deepEqual([...ids], ["2.90.0+rev1/prod"]);
  assert.deepEqual([...exact], ["2.88.4+rev1/prod"]);
});

Deno.test("resolveVersion() rejects malformed entries and options with TypeError", () => {
  assert.throws(() => resolveVersion([{ version: "1.0" }]), /entry 0 has an invalid version '1\.0'/);
  assert.throws(
    () => resolveVersion([{ version: "1.0.0", prerelease: "yes" as unknown as boolean }]),
    TypeError,
  );
  assert.throws(() => resolveVersion([{ version: "1.0.0", variant: "beta" as "dev" }]), /unknown variant/);
  assert.throws(
    () => resolveVersion([{ version: "1.0.0+dev", variant: "prod" }]),
    /variant 'prod' but its version/,
  );
  assert.throws(() => resolveVersion([{ version: "1.0.0+dev.prod" }]), /both the dev and prod/);
  assert.throws(() => resolveVersion(IMAGES, "latest", { variant: "beta" as "dev" }), TypeError);
  assert.throws(() => resolveVersion("1.0.0" as unknown as Entry[]), TypeError);
  assert.throws(() => resolveVersion(IMAGES, 1 as unknown as string), TypeError);
});

Deno.test("resolveVersion() sees changes to a list it has already indexed", () => {
  const list: Entry[] = [e("1.0.0"), e("1.1.0")];
  assert.equal(resolveVersion(list).id, "1.1.0");
  list.push(e("1.2.0"));
  assert.equal(resolveVersion(list).id, "1.2.0");
  list[2]!.version = "0.9.0";
  assert.equal(resolveVersion(list).id, "1.1.0");
  list[1]!.prerelease = true;
  assert.equal(resolveVersion(list, "recommended").id, "1.0.0");
  list[0] = e("1.0.5");
  assert.equal(resolveVersion(list, "recommended").id, "1.0.5");
});

Deno.test("resolveVersion() agrees with semver.maxSatisfying on 3,000 random versions and 17 ranges", () => {
  const random = rng(42);
  const list: Entry[] = [];
  for (let i = 0; i < 3000; i++) {
    const pre = random() < 0.2 ? `-beta.${Math.floor(random() * 5)}` : "";
    list.push(
      e(`${Math.floor(random() * 4)}.${Math.floor(random() * 20)}.${Math.floor(random() * 20)}${pre}`),
    );
  }
  const versions = list.map((x) => x.version);
  const ranges = [
    "*",
    "^1",
    "~2.3",
    ">=1.5.0 <3",
    "1.x || 3.1",
    ">=2.4.0-beta.0",
    "^9",
    "<0.0.1",
    "1.2.3 - 2.3.4",
  ];
  ranges.push(
    ">1.5.0",
    "<=2.3.4",
    "=2.3.4",
    "^0.1",
    ">=1.0.0 <1.0.0",
    "<2.4.0-beta.3 || >3.19.18",
    "0.0.x || 3",
  );
  for (const range of ranges) {
    const want = semver.maxSatisfying(versions, range);
    let got: string | null = null;
    try {
      got = resolveVersion(list, range).version;
    } catch (err) {
      assert.ok(err instanceof NotFoundError);
    }
    assert.equal(got === null ? null : semver.valid(got), want, range);
  }
  const stable = versions.filter((v) => !semver.prerelease(v));
  assert.equal(resolveVersion(list, "recommended").version, semver.rsort(stable)[0]);
  assert.equal(resolveVersion(list, "latest").version, semver.rsort(versions.slice())[0]);
});

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function shuffle<T>(list: readonly T[], seed: number): T[] {
  const random = rng(seed);
  const out = list.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
