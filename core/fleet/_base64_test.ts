import assert from "node:assert/strict";
import { decodeBase64, decodeBase64Url, encodeBase64, encodeBase64Url } from "./_base64.ts";

Deno.test("decodeBase64() round-trips every length and refuses non-canonical or malformed text", () => {
  for (let n = 0; n < 70; n++) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 73 + n * 31) & 255);
    const text = encodeBase64(bytes);
    assert.deepEqual(decodeBase64(text), bytes);
    assert.deepEqual(decodeBase64Url(encodeBase64Url(bytes)), bytes);
  }
  // The same bytes with unused bits set: another spelling, refused.
  for (
    const bad of [
      "/x==",
      "/w=x",
      "AQJ=",
      "AQK=",
      "AQL=",
      "AB==",
      "AP==",
      "A===",
      "AQID=",
      "AQ",
      "AQ=",
      " AQ==",
    ]
  ) {
    assert.equal(decodeBase64(bad), undefined, bad);
  }
  assert.deepEqual(decodeBase64("/w=="), new Uint8Array([255]));
  assert.deepEqual(decodeBase64("AQI="), new Uint8Array([1, 2]));
  assert.equal(decodeBase64Url("AQJ"), undefined, "base64url too");
  assert.deepEqual(decodeBase64Url("AQI"), new Uint8Array([1, 2]));
});

Deno.test("decodeBase64() agrees with a reference decoder (atob, then re-encoding) on random text", () => {
  const STD = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
  const reference = (text: string) => {
    if (!STD.test(text)) return undefined;
    const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    return encodeBase64(bytes) === text ? bytes : undefined;
  };
  const chars = "AQgw/+9z=-_é";
  let seed = 7;
  const random = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
  for (let i = 0; i < 20_000; i++) {
    const text = Array.from({ length: random(13) }, () => chars[random(chars.length)]).join("");
    assert.deepEqual(decodeBase64(text), reference(text), text);
  }
});
