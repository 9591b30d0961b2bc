import assert from "node:assert/strict";
import { baseUrl, joinUrl } from "./base_url.ts";

Deno.test("baseUrl() adds one trailing slash, keeps an existing one, drops query and fragment", () => {
  assert.equal(baseUrl("https://h/repo").href, "https://h/repo/");
  assert.equal(baseUrl("https://h/repo/").href, "https://h/repo/");
  assert.equal(baseUrl("https://h").href, "https://h/");
  assert.equal(baseUrl("https://h/a/b?x=1#y").href, "https://h/a/b/");
  assert.equal(baseUrl("file:///srv/repo").href, "file:///srv/repo/");
});

Deno.test("baseUrl() returns a copy: the caller's URL is not changed", () => {
  const api = new URL("https://h/repo");
  assert.notEqual(baseUrl(api), api);
  assert.equal(api.href, "https://h/repo");
});

Deno.test("joinUrl() keeps the base's last segment, with or without a slash, and ignores leading slashes", () => {
  for (const base of ["https://h/repo", "https://h/repo/", new URL("https://h/repo")]) {
    assert.equal(joinUrl(base, "tuf/timestamp.json").href, "https://h/repo/tuf/timestamp.json");
    assert.equal(joinUrl(base, "//targets/x.tar.gz").href, "https://h/repo/targets/x.tar.gz");
  }
  assert.equal(joinUrl("http://127.0.0.1:8787", "releases").href, "http://127.0.0.1:8787/releases");
});

Deno.test("joinUrl() never treats the path as another origin", () => {
  assert.equal(joinUrl("https://h/r", "https://evil/x").origin, "https://h");
  assert.equal(joinUrl("https://h/r", "//evil/x").origin, "https://h");
  assert.equal(joinUrl("https://h/r", "a:b").href, "https://h/r/a:b");
});

Deno.test("joinUrl() refuses a path that is not a string", () => {
  assert.throws(() => joinUrl("https://h/", undefined as unknown as string), TypeError);
});
