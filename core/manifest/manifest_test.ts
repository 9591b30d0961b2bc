import assert from "node:assert/strict";
import { checkManifest, parseManifest } from "./manifest.ts";
import { manifestOf, testSigning } from "./_test_signing.ts";

const T = await testSigning();
const SHA = "a".repeat(64);

Deno.test("parseManifest() accepts a valid manifest and drops unknown fields", () => {
  const m = parseManifest({
    ...manifestOf("m", { nodes: { primary: [{ id: "x", sha256: SHA, size: 1 }] } }),
    z: 1,
  });
  assert.equal(m.nodes.primary?.[0]?.id, "x");
  assert.equal("z" in m, false);
});

Deno.test("parseManifest() names the first structural problem with a SyntaxError", () => {
  const bad: [unknown, RegExp][] = [
    [[], /not a JSON object/],
    [{ ...manifestOf("m"), id: "../x" }, /id is not a valid id/],
    [{ ...manifestOf("m"), deviceTypes: [] }, /deviceTypes/],
    [{ ...manifestOf("m"), nodes: { p: [{ id: "x", sha256: "ABC", size: 1 }] } }, /sha256/],
    [{ ...manifestOf("m"), nodes: { p: [{ id: "x", sha256: SHA, size: -1 }] } }, /size/],
    [{
      ...manifestOf("m"),
      nodes: { p: [{ id: "x", sha256: SHA, size: 1 }, { id: "x", sha256: SHA, size: 1 }] },
    }, /twice/],
    [{ ...manifestOf("m"), nodes: { p: [{ id: "m", sha256: SHA, size: 1 }] } }, /own id/],
    [{ ...manifestOf("m"), notAfter: "yesterday" }, /notAfter/],
    [{ ...manifestOf("m"), mode: "maybe" }, /mode/],
  ];
  for (const [v, re] of bad) {
    assert.throws(() => parseManifest(v), (e: Error) => e instanceof SyntaxError && re.test(e.message));
  }
});

Deno.test("checkManifest() accepts a parsed envelope as well as file bytes", async () => {
  const bytes = await T.sign(manifestOf("m"));
  const r = await checkManifest(JSON.parse(new TextDecoder().decode(bytes)), { verify: T.verify });
  assert.equal(r.ok, true);
});

Deno.test("checkManifest() reports MALFORMED_MANIFEST for a signed manifest with a bad field", async () => {
  const r = await checkManifest(await T.sign({ ...manifestOf("m"), nodes: {} }), { verify: T.verify });
  assert.equal(!r.ok && r.failure.code, "MALFORMED_MANIFEST");
});

Deno.test("checkManifest() reports INVALID_DATES before notBefore and when the window is inverted", async () => {
  const now = new Date("2026-06-01T00:00:00Z");
  const early = await checkManifest(await T.sign(manifestOf("m", { notBefore: "2026-07-01T00:00:00Z" })), {
    verify: T.verify,
    now,
  });
  assert.equal(!early.ok && early.failure.code, "INVALID_DATES");
  const inverted = manifestOf("m", { notBefore: "2026-05-01T00:00:00Z", notAfter: "2026-04-01T00:00:00Z" });
  const r = await checkManifest(await T.sign(inverted), { verify: T.verify, now });
  assert.equal(!r.ok && r.failure.code, "INVALID_DATES");
});
