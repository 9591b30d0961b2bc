import assert from "node:assert/strict";
import { assertRelativePath, isRelativePath, MAX_PATH_LENGTH } from "./relative_path.ts";

Deno.test("isRelativePath() accepts relative paths of safe segments", () => {
  for (const ok of ["a", "tuf/1.root.json", "apps/acme/radio/main/0123abc.tar.gz", "device-types.json"]) {
    assert.ok(isRelativePath(ok), ok);
    assertRelativePath(ok);
  }
});

Deno.test("isRelativePath() refuses absolute paths, traversal, empty segments, NUL and overlong paths", () => {
  const bad = [
    "",
    "/etc/passwd",
    "a/",
    "a//b",
    "./a",
    "a/./b",
    "..",
    "a/../../b",
    "tuf/../keys/root.json",
    "a\\..\\b",
    "a/b\0",
    "a/.git/config",
    "%2e%2e/x",
    `${"a/".repeat(MAX_PATH_LENGTH / 2)}a`,
  ];
  for (const b of bad) {
    assert.equal(isRelativePath(b), false, JSON.stringify(b));
    assert.throws(() => assertRelativePath(b, { what: "target path" }), /Cannot use target path/);
  }
});

Deno.test("isRelativePath() limits segment length and count when asked", () => {
  const file = `${"a".repeat(64)}.${"n".repeat(128)}`;
  assert.equal(isRelativePath(`targets/${file}`), false);
  assert.ok(isRelativePath(`targets/${file}`, { maxSegmentLength: 255 }));
  assert.equal(isRelativePath("a/b/c", { maxSegments: 2 }), false);
  assert.ok(isRelativePath("a/b", { maxSegments: 2 }));
});
