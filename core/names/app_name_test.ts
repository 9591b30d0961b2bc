import assert from "node:assert/strict";
import { appSlug, assertAppName, isAppName, isLegacyAppName, MAX_APP_NAME_LENGTH } from "./app_name.ts";
import { HOSTILE } from "./_testing.ts";

Deno.test("isAppName() accepts OWNER/APP only: two safe segments", () => {
  for (
    const ok of [
      "acme/radio",
      "radiodan/magic-button",
      "A/b.c+d_e-f",
      `${"o".repeat(47)}/${"a".repeat(48)}`,
      `o/${"a".repeat(94)}`,
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
    `${"o".repeat(128)}/${"a".repeat(128)}`,
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

Deno.test("app names are at most 96 characters, so every file name a device derives fits in 255 bytes", () => {
  assert.equal(MAX_APP_NAME_LENGTH, 96);
  const longest = `${"o".repeat(48)}/${"a".repeat(47)}`;
  const over = `${"o".repeat(48)}/${"a".repeat(48)}`;
  assert.equal(longest.length, 96);
  assert.ok(isAppName(longest) && isLegacyAppName(longest));
  assertAppName(longest);
  assert.equal(appSlug(longest).length, 96);
  for (const name of [over, `o/${"a".repeat(95)}`, `${"o".repeat(128)}/${"a".repeat(128)}`]) {
    assert.equal(isAppName(name), false, name);
    assert.equal(isLegacyAppName(name), false, name);
    assert.throws(() => assertAppName(name), TypeError);
    assert.throws(
      () => assertAppName(name),
      /^TypeError: Cannot use app name 'o+.*: longer than 96 characters$/,
    );
    assert.throws(() => appSlug(name), /longer than 96 characters/);
  }
  // a radiodan one-segment name is bound the same way
  assert.ok(isLegacyAppName("x".repeat(96)));
  assert.equal(isLegacyAppName("x".repeat(97)), false);
  // the longest pending-install temporary file: `.<slug>@<ref>.json.tmp-<pid>-<8 hex>`, pid < 2^22
  const ref = "r".repeat(128);
  const tmp = `.${appSlug(longest)}@${ref}.json.tmp-${2 ** 22 - 1}-${"f".repeat(8)}`;
  assert.ok(new TextEncoder().encode(tmp).length <= 255, `${tmp.length}`);
});
