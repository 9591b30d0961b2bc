import assert from "node:assert/strict";
import { assertCommit, isCommit, isLegacyCommit } from "./commit.ts";
import { HOSTILE } from "./_testing.ts";

Deno.test("isCommit() accepts 7 to 64 lower-case hex digits only", () => {
  for (const ok of ["0123abc", "d0ab003", "f".repeat(40), "0".repeat(64)]) {
    assert.ok(isCommit(ok), ok);
    assertCommit(ok);
  }
  const bad = [
    "012345",
    "0".repeat(65),
    "0123ABC",
    "0123abg",
    "0123abc\0",
    " 0123abc",
    "0123abc/..",
    "../0123abc",
  ];
  for (const b of [...bad, ...HOSTILE]) {
    assert.equal(isCommit(b), false, JSON.stringify(b));
    assert.throws(() => assertCommit(b), /lower-case hex/, JSON.stringify(b));
  }
  assert.equal(isCommit(1234567), false);
});

Deno.test("isLegacyCommit() also accepts 4 to 6 digits and upper case (radiodan), nothing else", () => {
  for (const ok of ["d0ab", "68200EC", "0123abc", "ABCDEF1234567890", "0".repeat(64)]) {
    assert.ok(isLegacyCommit(ok), ok);
  }
  for (const b of ["abc", "0".repeat(65), "xyz1234", "68200EC\0", "68200EC/..", ...HOSTILE]) {
    assert.equal(isLegacyCommit(b), false, JSON.stringify(b));
  }
});
