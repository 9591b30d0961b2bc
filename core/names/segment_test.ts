import assert from "node:assert/strict";
import { assertSegment, isSegment, MAX_SEGMENT_LENGTH } from "./segment.ts";
import { HOSTILE } from "./_testing.ts";

Deno.test("isSegment() accepts letters, digits and . _ + - after a letter or digit, up to 128 chars", () => {
  for (
    const ok of ["a", "main", "v1.2.3+rev2", "release_1-rc.1", "A9", "0", "x".repeat(MAX_SEGMENT_LENGTH)]
  ) {
    assert.ok(isSegment(ok), ok);
    assertSegment(ok, "s");
  }
});

Deno.test("isSegment() refuses traversal, separators, NUL, hidden names, options and overlong names", () => {
  for (const bad of [...HOSTILE, "x".repeat(MAX_SEGMENT_LENGTH + 1)]) {
    assert.equal(isSegment(bad), false, JSON.stringify(bad));
    assert.throws(() => assertSegment(bad, "ref"), TypeError, JSON.stringify(bad));
  }
  for (const notString of [undefined, null, 7, ["a"], { toString: () => "a" }]) {
    assert.equal(isSegment(notString), false);
  }
});

Deno.test("isSegment() takes a larger maxLength for storage and URL segments", () => {
  const long = "x".repeat(200);
  assert.equal(isSegment(long), false);
  assert.ok(isSegment(long, { maxLength: 255 }));
  assert.equal(isSegment("..", { maxLength: 255 }), false);
});

Deno.test("assertSegment() names what it checked and shows a NUL visibly", () => {
  assert.throws(() => assertSegment("a\0b", "device type"), /Cannot use device type 'a\\x00b'/);
  assert.throws(() => assertSegment("x".repeat(500), "ref"), (e: Error) => e.message.length < 300);
});
