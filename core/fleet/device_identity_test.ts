import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  assertDeviceId,
  DEVICE_ID,
  deviceIdOf,
  generateDeviceKey,
  importPublicKey,
  loadDeviceIdentity,
} from "./device_identity.ts";

Deno.test("generateDeviceKey() makes a private JWK whose kid is d_ + hex of sha256(raw public key)[0..16]", async () => {
  const jwk = await generateDeviceKey();
  assert.equal(jwk.kty, "OKP");
  assert.equal(jwk.crv, "Ed25519");
  const raw = Buffer.from(jwk.x, "base64url");
  assert.equal(raw.length, 32);
  assert.equal(Buffer.from(jwk.d, "base64url").length, 32);
  assert.equal(jwk.kid, "d_" + createHash("sha256").update(raw).digest("hex").slice(0, 32));
  assert.match(jwk.kid, DEVICE_ID);
  assert.equal(await deviceIdOf(jwk.x), jwk.kid);
  assert.equal(await deviceIdOf(new Uint8Array(raw)), jwk.kid);
  assert.notEqual((await generateDeviceKey()).kid, jwk.kid);
  // JSON round trip (the key file) keeps it loadable.
  const identity = await loadDeviceIdentity(JSON.parse(JSON.stringify(jwk)));
  assert.equal(identity.id, jwk.kid);
  assert.equal(identity.publicKey, jwk.x);
  assert.equal(identity.privateKey.extractable, false);
});

Deno.test("loadDeviceIdentity() signs with a key that importPublicKey() verifies", async () => {
  const identity = await loadDeviceIdentity(await generateDeviceKey());
  const data = new TextEncoder().encode("hello");
  const sig = await crypto.subtle.sign("Ed25519", identity.privateKey, data);
  assert.ok(await crypto.subtle.verify("Ed25519", await importPublicKey(identity.publicKey), sig, data));
});

Deno.test("loadDeviceIdentity() refuses malformed or mismatched keys with TypeError", async () => {
  const a = await generateDeviceKey(), b = await generateDeviceKey();
  const { kid: _kid, ...noKid } = a;
  assert.equal((await loadDeviceIdentity(noKid)).id, a.kid);
  for (
    const [bad, pattern] of [
      [null, /not an object/],
      ["x", /not an object/],
      [{ ...a, kty: "EC" }, /OKP Ed25519/],
      [{ ...a, crv: "X25519" }, /OKP Ed25519/],
      [{ ...a, x: a.x + "A" }, /'x'/],
      [{ ...a, x: 5 }, /'x'/],
      [{ ...a, d: "AAAA" }, /'d'/],
      [{ ...a, d: b.d }, /does not match/],
      [{ ...a, kid: b.kid }, /kid/],
    ] as const
  ) {
    await assert.rejects(loadDeviceIdentity(bad), (e: unknown) => {
      assert.ok(e instanceof TypeError, String(e));
      assert.match(e.message, /^Cannot load device key: /);
      assert.match(e.message, pattern);
      return true;
    });
  }
});

Deno.test("deviceIdOf(), importPublicKey() and assertDeviceId() refuse what is not a 32-byte key or an id", async () => {
  await assert.rejects(deviceIdOf(new Uint8Array(31)), TypeError);
  await assert.rejects(deviceIdOf("not base64url!"), TypeError);
  await assert.rejects(deviceIdOf("A".repeat(43) + "="), TypeError);
  await assert.rejects(importPublicKey(""), TypeError);
  assert.throws(() => assertDeviceId("D_" + "0".repeat(32)), TypeError);
  assert.throws(() => assertDeviceId("d_" + "0".repeat(31)), TypeError);
  assert.throws(() => assertDeviceId(undefined), /^TypeError: Cannot use device id/);
});
