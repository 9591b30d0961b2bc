/**
 * A device's identity: an Ed25519 key pair made by WebCrypto, kept by the device as a private JWK
 * (RFC 8037), and the device id derived from its public key.
 *
 * The id rule: `d_` followed by the lower-case hex of the first 16 bytes of
 * `sha256(raw 32-byte public key)` (34 characters, e.g. `d_3f0c…`). Anyone holding the public key
 * recomputes the id, so an id cannot be claimed with another key. Public keys travel as the
 * unpadded base64url of the raw 32 bytes (the JWK `x`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deviceIdOf, generateDeviceKey, loadDeviceIdentity } from "./device_identity.ts";
 * const jwk = await generateDeviceKey();          // store it 0600 in the workspace
 * const identity = await loadDeviceIdentity(jwk);
 * assert.match(identity.id, /^d_[0-9a-f]{32}$/);
 * assert.equal(identity.id, await deviceIdOf(identity.publicKey));
 * assert.equal(identity.id, jwk.kid);
 * ```
 * @module
 */
import { toHex } from "../verify/hex.ts";
import { decodeBase64Url, encodeBase64Url } from "./_base64.ts";

/** A device id: `d_` and 32 lower-case hex digits. */
export const DEVICE_ID: RegExp = /^d_[0-9a-f]{32}$/;

/** A device's private key as a JWK (RFC 8037 OKP), with the device id as `kid`. */
export interface DeviceKeyJwk {
  kty: "OKP";
  crv: "Ed25519";
  /** Public key: base64url of the raw 32 bytes. */
  x: string;
  /** Private key: base64url of the 32-byte seed. */
  d: string;
  /** The device id of `x`. */
  kid: string;
}

/** A loaded identity, ready to sign requests. */
export interface DeviceIdentity {
  id: string;
  /** base64url of the raw 32-byte public key. */
  publicKey: string;
  /** Non-extractable Ed25519 signing key. */
  privateKey: CryptoKey;
}

function rawPublicKey(publicKey: string | Uint8Array): Uint8Array<ArrayBuffer> {
  const raw = typeof publicKey === "string" ? decodeBase64Url(publicKey) : new Uint8Array(publicKey);
  if (raw === undefined || raw.length !== 32) {
    throw new TypeError("Cannot use public key: expected 32 bytes (base64url, unpadded)");
  }
  return raw;
}

/**
 * `TypeError` unless `id` is a device id (`d_` + 32 lower-case hex digits).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assertDeviceId } from "./device_identity.ts";
 * assertDeviceId("d_" + "0".repeat(32));
 * assert.throws(() => assertDeviceId("../etc"), TypeError);
 * ```
 */
export function assertDeviceId(id: unknown): asserts id is string {
  if (typeof id !== "string" || !DEVICE_ID.test(id)) {
    throw new TypeError(`Cannot use device id '${String(id).slice(0, 40)}': expected d_ and 32 hex digits`);
  }
}

/**
 * The device id of a public key (base64url string or raw bytes). `TypeError` unless 32 bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deviceIdOf } from "./device_identity.ts";
 * // sha256 of 32 zero bytes starts with 66687aadf862bd776c8fc18b8e9f8e20
 * assert.equal(await deviceIdOf(new Uint8Array(32)), "d_66687aadf862bd776c8fc18b8e9f8e20");
 * ```
 */
export async function deviceIdOf(publicKey: string | Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", rawPublicKey(publicKey)));
  return `d_${toHex(digest.subarray(0, 16))}`;
}

/**
 * Import a public key (base64url of the raw 32 bytes) for verifying. `TypeError` when malformed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateDeviceKey, importPublicKey } from "./device_identity.ts";
 * const key = await importPublicKey((await generateDeviceKey()).x);
 * assert.deepEqual(key.usages, ["verify"]);
 * await assert.rejects(importPublicKey("AAAA"), TypeError);
 * ```
 */
export async function importPublicKey(publicKey: string): Promise<CryptoKey> {
  return await crypto.subtle.importKey("raw", rawPublicKey(publicKey), { name: "Ed25519" }, true, ["verify"]);
}

/**
 * A new device key (private JWK with `kid` = device id). The caller stores it (mode 0600) and
 * never overwrites it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateDeviceKey } from "./device_identity.ts";
 * const jwk = await generateDeviceKey();
 * assert.deepEqual(Object.keys(jwk).sort(), ["crv", "d", "kid", "kty", "x"]);
 * ```
 */
export async function generateDeviceKey(): Promise<DeviceKeyJwk> {
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
  const x = encodeBase64Url(raw);
  if (jwk.x !== x || typeof jwk.d !== "string") throw new Error("Cannot generate device key: bad JWK export");
  return { kty: "OKP", crv: "Ed25519", x, d: jwk.d, kid: await deviceIdOf(raw) };
}

/**
 * Load a device key (a parsed JWK, e.g. from the workspace's key file) into an identity. Checks
 * the shape, that `d` belongs to `x` (signs and verifies a probe), and that `kid`, when present,
 * is the id of `x`; `TypeError` otherwise, so a damaged key file never signs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateDeviceKey, loadDeviceIdentity } from "./device_identity.ts";
 * const a = await generateDeviceKey(), b = await generateDeviceKey();
 * await assert.rejects(loadDeviceIdentity({ ...a, d: b.d }), /does not match/);
 * await assert.rejects(loadDeviceIdentity({ ...a, kid: b.kid }), /kid/);
 * ```
 */
export async function loadDeviceIdentity(jwk: unknown): Promise<DeviceIdentity> {
  if (typeof jwk !== "object" || jwk === null) throw new TypeError("Cannot load device key: not an object");
  const { kty, crv, x, d, kid } = jwk as Record<string, unknown>;
  if (kty !== "OKP" || crv !== "Ed25519") {
    throw new TypeError(
      `Cannot load device key: expected an OKP Ed25519 JWK, got ${String(kty)}/${String(crv)}`,
    );
  }
  if (typeof x !== "string" || decodeBase64Url(x)?.length !== 32) {
    throw new TypeError("Cannot load device key: 'x' must be 32 bytes, base64url");
  }
  if (typeof d !== "string" || decodeBase64Url(d)?.length !== 32) {
    throw new TypeError("Cannot load device key: 'd' must be 32 bytes, base64url");
  }
  const id = await deviceIdOf(x);
  if (kid !== undefined && kid !== id) {
    throw new TypeError(
      `Cannot load device key: kid '${String(kid)}' is not the id of its public key (${id})`,
    );
  }
  let privateKey: CryptoKey, ok: boolean;
  try {
    privateKey = await crypto.subtle.importKey("jwk", { kty, crv, x, d }, { name: "Ed25519" }, false, [
      "sign",
    ]);
    const probe = new TextEncoder().encode(`drover device key check ${id}`);
    const signature = await crypto.subtle.sign("Ed25519", privateKey, probe);
    ok = await crypto.subtle.verify("Ed25519", await importPublicKey(x), signature, probe);
  } catch (cause) {
    throw new TypeError(`Cannot load device key: ${(cause as Error).message}`, { cause });
  }
  if (!ok) throw new TypeError("Cannot load device key: its private key does not match its public key");
  return { id, publicKey: x, privateKey };
}
