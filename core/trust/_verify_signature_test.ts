import assert from "node:assert/strict";
import { constants, createHash, generateKeyPairSync, sign, verify } from "node:crypto";
import { ecdsaDerToRaw, ecdsaRawToDer } from "./_der.ts";
import { verifySignature } from "./_verify_signature.ts";
import { generateKeyPair, keyIdOf, keyToTuf, parseKeyFile, signBytes } from "./key_pair.ts";

const DATA = new TextEncoder().encode('{"_type":"root","version":2}');
const OTHER = new TextEncoder().encode('{"_type":"root","version":3}');
const hexOf = (b: Uint8Array) => Buffer.from(b).toString("hex");

function ecdsaKey() {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const pem = publicKey.export({ type: "spki", format: "pem" }) as string;
  return { tuf: { keytype: "ecdsa", scheme: "ecdsa-sha2-nistp256", keyval: { public: pem } }, privateKey };
}

function rsaKey(bits: number) {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: bits });
  const pem = publicKey.export({ type: "spki", format: "pem" }) as string;
  return { tuf: { keytype: "rsa", scheme: "rsassa-pss-sha256", keyval: { public: pem } }, privateKey };
}

Deno.test("verifySignature() accepts ecdsa-sha2-nistp256 DER signatures made by node:crypto (PEM SPKI keys)", async () => {
  const { tuf, privateKey } = ecdsaKey();
  const sig = sign("sha256", DATA, privateKey); // DER, as securesystemslib writes it
  assert.equal(await verifySignature(tuf, hexOf(sig), DATA), true);
  assert.equal(await verifySignature({ ...tuf, keytype: "ecdsa-sha2-nistp256" }, hexOf(sig), DATA), true);
  assert.equal(await verifySignature(tuf, hexOf(sig), OTHER), false, "other content");
  const p1363 = sign("sha256", DATA, { key: privateKey, dsaEncoding: "ieee-p1363" });
  assert.equal(await verifySignature(tuf, hexOf(p1363), DATA), false, "raw r||s is not TUF's encoding");
  assert.equal(await verifySignature({ ...tuf, scheme: "ecdsa-sha2-nistp384" }, hexOf(sig), DATA), false);
  assert.equal(await verifySignature(tuf, "", DATA), false);
  assert.equal(await verifySignature({ ...tuf, keyval: { public: "not a pem" } }, hexOf(sig), DATA), false);
});

for (const bits of [2048, 3072]) {
  Deno.test(`verifySignature() accepts rsassa-pss-sha256 (${bits} bits) whatever the salt length`, async () => {
    const { tuf, privateKey } = rsaKey(bits);
    const pss = (saltLength: number) =>
      hexOf(sign("sha256", DATA, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }));
    for (const saltLength of [constants.RSA_PSS_SALTLEN_MAX_SIGN, 32, 0, 20]) {
      assert.equal(await verifySignature(tuf, pss(saltLength), DATA), true, `salt ${saltLength}`);
    }
    assert.equal(await verifySignature(tuf, pss(32), OTHER), false, "other content");
    const pkcs1 = hexOf(sign("sha256", DATA, privateKey));
    assert.equal(await verifySignature(tuf, pkcs1, DATA), false, "PKCS#1 v1.5 is another scheme");
    const flipped = pss(32).replace(/^./, (c) => (c === "0" ? "1" : "0"));
    assert.equal(await verifySignature(tuf, flipped, DATA), false);
    assert.equal(await verifySignature(tuf, pss(32).slice(2), DATA), false, "short signature");
    assert.equal(await verifySignature({ ...tuf, scheme: "rsa-pkcs1v15-sha256" }, pkcs1, DATA), false);
  });
}

Deno.test("verifySignature() accepts Ed25519 and never a key type it does not know", async () => {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = (publicKey.export({ format: "jwk" }) as { x: string }).x;
  const tuf = keyToTuf({ public: Buffer.from(raw, "base64url").toString("hex") });
  const sig = hexOf(sign(null, DATA, privateKey));
  assert.equal(await verifySignature(tuf, sig, DATA), true);
  assert.equal(await verifySignature({ ...tuf, keytype: "ed448" }, sig, DATA), false);
  assert.equal(await verifySignature({ ...tuf, scheme: "ecdsa-sha2-nistp256" }, sig, DATA), false);
});

Deno.test("ECDSA keys made by Drover sign DER signatures that node:crypto verifies, with TUF keyids", async () => {
  const key = await generateKeyPair({ keyType: "ecdsa" });
  assert.match(key.public, /^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
  const sig = await signBytes(key, DATA);
  assert.equal(verify("sha256", DATA, key.public, Buffer.from(sig, "hex")), true);
  assert.equal(await verifySignature(keyToTuf(key), sig, DATA), true);
  // OLPC canonical JSON (securesystemslib): the PEM's newlines stay raw, unlike JSON.stringify
  const canonical = `{"keytype":"ecdsa","keyval":{"public":"${key.public}"},` +
    `"scheme":"ecdsa-sha2-nistp256"}`;
  assert.equal(key.keyid, createHash("sha256").update(canonical).digest("hex"));
  assert.equal(keyIdOf(keyToTuf(key)), key.keyid);
  assert.deepEqual(parseKeyFile(JSON.stringify(key)), key);
  assert.throws(() => parseKeyFile(JSON.stringify({ ...key, public: "00".repeat(32) })), TypeError);
});

Deno.test("ECDSA signatures convert between DER and r||s, refusing malformed DER", () => {
  for (let i = 0; i < 50; i++) {
    const raw = crypto.getRandomValues(new Uint8Array(64));
    if (i % 5 === 0) raw.fill(0, 0, 3); // short integers
    if (i % 7 === 0) raw[32] = 0x80; // a leading zero byte in DER
    assert.deepEqual(ecdsaDerToRaw(ecdsaRawToDer(raw), 32), raw);
  }
  const der = ecdsaRawToDer(new Uint8Array(64).fill(1));
  assert.equal(ecdsaDerToRaw(der.subarray(1), 32), undefined);
  assert.equal(ecdsaDerToRaw(new Uint8Array([...der, 0]), 32), undefined, "trailing bytes");
  const negative = der.slice();
  negative[4] = 0x81;
  assert.equal(ecdsaDerToRaw(negative, 32), undefined, "negative integer");
  assert.equal(
    ecdsaDerToRaw(new Uint8Array([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]), 32)?.length,
    64,
  );
  assert.equal(
    ecdsaDerToRaw(new Uint8Array([0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x01]), 32),
    undefined,
  );
});
