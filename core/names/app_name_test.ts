import assert from "node:assert/strict";
import { appSlug, assertAppName, isAppName, isLegacyAppName } from "./app_name.ts";
import { HOSTILE } from "./_testing.ts";

Deno.test("isAppName() accepts OWNER/APP only: two safe segments", () => {
  for (
    const ok of [
      "acme/radio",
      "radiodan/magic-button",
      "A/b.c+d_e-f",
      `${"o".repeat(128)}/${"a".repeat(128)}`,
    ]
  ) {
    assert.ok(isAppName(ok), ok);
    assertAppName(ok);
  }
  const bad = [
    "radio",
    "a/b/c",
    "a/",
    "/a",
    "a//b",
    "../a",
    "a/..",
    "./a",
    "acme/.hidden",
    "acme/a\0",
    "acme\0/a",
    "acme\\radio",
    "acme/ra dio",
    `${"o".repeat(129)}/a`,
    ...HOSTILE.map((h) => `acme/${h}`),
    ...HOSTILE.map((h) => `${h}/radio`),
  ];
  for (const b of bad) {
    assert.equal(isAppName(b), false, JSON.stringify(b));
    assert.throws(() => assertAppName(b), TypeError, JSON.stringify(b));
  }
  assert.equal(isAppName(undefined), false);
  assert.throws(() => assertAppName("radio"), /expected OWNER\/APP/);
});

Deno.test("isLegacyAppName() also accepts one segment (radiodan .deploy) and nothing unsafe", () => {
  assert.ok(isLegacyAppName("magic-button"));
  assert.ok(isLegacyAppName("radiodan/magic-button"));
  for (const b of [...HOSTILE.filter((h) => h !== "a/b"), "a/b/c", "a/..", "x".repeat(129)]) {
    assert.equal(isLegacyAppName(b), false, JSON.stringify(b));
  }
});

Deno.test("appSlug() maps names one to one onto file names and refuses anything unsafe", () => {
  assert.equal(appSlug("acme/radio"), "acme~radio");
  assert.equal(appSlug("radio"), "radio");
  assert.throws(() => appSlug("a~b"), TypeError, "~ is in no name, so slugs cannot collide");
  assert.throws(() => appSlug("../etc/passwd"), TypeError);
  assert.throws(() => appSlug("a/b/c"), TypeError);
});
