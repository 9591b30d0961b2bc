import assert from "node:assert/strict";
import { assertRef, isRef } from "./ref.ts";
import { HOSTILE } from "./_testing.ts";

Deno.test("isRef() accepts one safe segment and refuses slashes, traversal, NUL and overlong refs", () => {
  for (const ok of ["main", "master", "v2.1", "release-2026.11", "r".repeat(128)]) {
    assert.ok(isRef(ok), ok);
    assertRef(ok);
  }
  for (const bad of [...HOSTILE, "feature/x", "refs/heads/main", "r".repeat(129)]) {
    assert.equal(isRef(bad), false, JSON.stringify(bad));
    assert.throws(() => assertRef(bad), /Cannot use ref/, JSON.stringify(bad));
  }
  assert.equal(isRef(42), false);
});
