import assert from "node:assert/strict";
import { parseLegacyDocument } from "./legacy_offers.ts";

const SHA1 = "0e8ff998e905a2cfa5a4d15afe68622e3db24b72";

Deno.test("parseLegacyDocument() resolves files against the document and leaves out unsafe entries", () => {
  const doc = {
    "acme/ok": { main: { commit: "68200EC", file: "dl/a.tar.gz", sha1: SHA1.toUpperCase(), size: 10 } },
    "acme/local": { main: { commit: "68200ec", file: "file:///etc/shadow", sha1: SHA1 } },
    "acme/nodigest": { main: { commit: "68200ec", file: "a.tar.gz" } },
    "acme/baddigest": { main: { commit: "68200ec", file: "a.tar.gz", sha1: "zz" } },
    "acme/badcommit": { main: { commit: "nothex", file: "a.tar.gz", sha1: SHA1 } },
  };
  const offers = parseLegacyDocument(doc, new URL("http://127.0.0.1:1/api/releases"));
  const ok = offers.find("acme/ok", "main")!;
  assert.equal(ok.url.href, "http://127.0.0.1:1/api/dl/a.tar.gz");
  assert.equal(ok.commit, "68200ec");
  assert.deepEqual(ok.expected, { length: 10, sha1: SHA1, sha256: undefined });
  assert.equal(ok.key, `sha1-${SHA1}`);
  assert.equal(ok.allowDowngrade, undefined, "never from an unsigned document");
  for (const name of ["acme/local", "acme/nodigest", "acme/baddigest", "acme/badcommit", "acme/none"]) {
    assert.equal(offers.find(name, "main"), undefined, name);
  }
  assert.equal(offers.find("constructor", "main"), undefined);
  // a document read from disk may point at local files
  const local = parseLegacyDocument(doc, new URL("file:///srv/repo/releases.json"));
  assert.equal(local.find("acme/local", "main")?.url.protocol, "file:");
  assert.throws(() => parseLegacyDocument([], new URL("http://x/")), SyntaxError);
});
