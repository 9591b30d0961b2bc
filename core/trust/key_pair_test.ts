import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { checkKeyPair, generateKeyPair, keyIdOf, keyToTuf, parseKeyFile } from "./key_pair.ts";

Deno.test("generateKeyPair() makes an Ed25519 pair whose keyid is sha256 of the canonical TUF key JSON", async () => {
  const key = await generateKeyPair();
  assert.match(key.public, /^[0-9a-f]{64}$/);
  assert.match(key.private, /^[0-9a-f]+$/);
  const canonical = `{"keytype":"ed25519","keyval":{"public":"${key.public}"},"scheme":"ed25519"}`;
  assert.equal(key.keyid, createHash("sha256").update(canonical).digest("hex"));
  assert.equal(keyIdOf(key.public), key.keyid);
  assert.deepEqual(keyToTuf(key), { keytype: "ed25519", scheme: "ed25519", keyval: { public: key.public } });
  assert.notEqual((await generateKeyPair()).keyid, key.keyid);
});

Deno.test("parseKeyFile() round-trips a key file and rejects wrong types, bad hex and a forged keyid", async () => {
  const key = await generateKeyPair();
  assert.deepEqual(parseKeyFile(JSON.stringify(key)), key);
  assert.throws(() => parseKeyFile("{"), SyntaxError);
  assert.throws(() => parseKeyFile(JSON.stringify({ ...key, keytype: "rsa" })), /unsupported key type/);
  assert.throws(() => parseKeyFile(JSON.stringify({ ...key, public: "zz" })), /'public'/);
  assert.throws(() => parseKeyFile(JSON.stringify({ ...key, private: "xyz" })), /'private'/);
  assert.throws(() => parseKeyFile(JSON.stringify({ ...key, keyid: "00".repeat(32) })), /does not match/);
  assert.throws(() => parseKeyFile("null"), TypeError);
});

Deno.test("checkKeyPair() accepts a matching pair and refuses a private key that belongs to another key", async () => {
  const a = await generateKeyPair(), b = await generateKeyPair();
  await checkKeyPair(a);
  await assert.rejects(checkKeyPair({ ...b, private: a.private }), /does not match/);
  await assert.rejects(checkKeyPair({ ...a, private: "00" }), TypeError);
});
