import assert from "node:assert/strict";
import { assertSha256, isSha1, isSha256 } from "./digest.ts";

Deno.test("isSha256()/isSha1() accept lower-case hex of the exact length only", () => {
  assert.ok(isSha256("0123456789abcdef".repeat(4)));
  assert.ok(isSha1("0123456789abcdef0123456789abcdef01234567"));
  const bad = [
    "AB".repeat(32),
    "a".repeat(63),
    "a".repeat(65),
    "g".repeat(64),
    `${"a".repeat(63)}\0`,
    "../" + "a".repeat(61),
  ];
  for (const b of bad) {
    assert.equal(isSha256(b), false, JSON.stringify(b));
    assert.throws(() => assertSha256(b, { what: "blob id" }), /Cannot use blob id/);
  }
  assert.equal(isSha1("a".repeat(64)), false);
  assert.equal(isSha1("A".repeat(40)), false);
  assert.equal(isSha256(undefined), false);
});
