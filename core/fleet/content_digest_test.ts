import assert from "node:assert/strict";
import { IntegrityError } from "../errors.ts";
import { contentDigest, verifyContentDigest } from "./content_digest.ts";

// RFC 9530 §2 / Appendix B: the content {"hello": "world"}.
const HELLO = '{"hello": "world"}';
const SHA256 = "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:";
const SHA512 =
  "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:";

Deno.test("contentDigest() gives RFC 9530's values for a string and for bytes", async () => {
  assert.equal(await contentDigest(HELLO), SHA256);
  assert.equal(await contentDigest(new TextEncoder().encode(HELLO)), SHA256);
  assert.equal(await contentDigest(HELLO, { algorithm: "sha-512" }), SHA512);
  assert.equal(await contentDigest(""), "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:");
  // deno-lint-ignore no-explicit-any
  await assert.rejects(contentDigest(HELLO, { algorithm: "md5" as any }), RangeError);
  // deno-lint-ignore no-explicit-any
  await assert.rejects(contentDigest(42 as any), TypeError);
});

Deno.test("verifyContentDigest() checks every supported algorithm listed and ignores unknown ones", async () => {
  assert.deepEqual(await verifyContentDigest(SHA256, HELLO), ["sha-256"]);
  assert.deepEqual(await verifyContentDigest(`${SHA512}, ${SHA256}`, HELLO), ["sha-512", "sha-256"]);
  assert.deepEqual(await verifyContentDigest(`unixsum=:AAAA:, ${SHA256}`, HELLO), ["sha-256"]);
  const bad = SHA512.replace("WZDP", "WZDQ");
  const fails = async (header: string | null, body: string, pattern: RegExp) => {
    await assert.rejects(verifyContentDigest(header, body), (e: unknown) => {
      assert.ok(e instanceof IntegrityError, String(e));
      assert.match(e.message, pattern);
      return true;
    });
  };
  await fails(`${SHA256}, ${bad}`, HELLO, /sha-512 does not match/);
  await fails(SHA256, HELLO + " ", /sha-256 does not match/);
  await fails(null, HELLO, /no Content-Digest/);
  await fails("  ", HELLO, /no Content-Digest/);
  await fails("sha-256=:X48E9q", HELLO, /malformed/);
  await fails("sha-256=X48E9q", HELLO, /not a byte sequence/);
  await fails('sha-256="X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE="', HELLO, /not a byte sequence/);
  await fails("sha-256=:AAAA:", HELLO, /does not match/);
  await fails("md5=:AAAA:", HELLO, /no supported algorithm/);
});
