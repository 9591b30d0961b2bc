/**
 * Private: the salt length of an RSASSA-PSS signature (RFC 8017 §9.1.2, EMSA-PSS-VERIFY steps
 * 1-10), recovered with the public key so WebCrypto, which needs it given, can then verify the
 * signature. TUF's `rsassa-pss-sha256` fixes neither salt length: securesystemslib signs with the
 * digest length or the maximum and verifies with any. Only a parameter is chosen here; whether the
 * signature is valid is WebCrypto's decision.
 */
import { getAbilities } from "../abilities.ts";

/** The modulus and public exponent of an RSA key. */
export interface RsaPublic {
  n: bigint;
  e: bigint;
}

const SHA256_LENGTH = 32;

/** `{ n, e }` of a WebCrypto RSA public key (exported as JWK, so the key must be extractable). */
export async function rsaPublicOf(key: CryptoKey): Promise<RsaPublic> {
  const jwk = await crypto.subtle.exportKey("jwk", key);
  if (typeof jwk.n !== "string" || typeof jwk.e !== "string") {
    throw new TypeError("Cannot read RSA key: no modulus or exponent");
  }
  return { n: bigintOf(base64url(jwk.n)), e: bigintOf(base64url(jwk.e)) };
}

/**
 * The salt length `sig` was made with under EMSA-PSS with SHA-256 and MGF1-SHA-256, or `undefined`
 * when its encoding is malformed (then it cannot verify whatever the salt length).
 */
export function pssSaltLength(key: RsaPublic, sig: Uint8Array): number | undefined {
  const modBits = key.n.toString(2).length;
  const k = Math.ceil(modBits / 8);
  if (sig.length !== k) return undefined;
  const s = bigintOf(sig);
  if (s >= key.n) return undefined;
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const m = modPow(s, key.e, key.n);
  if (m >> BigInt(emLen * 8) !== 0n) return undefined;
  const em = bytesOf(m, emLen);
  if (emLen < SHA256_LENGTH + 2 || em[emLen - 1] !== 0xbc) return undefined;
  const dbLen = emLen - SHA256_LENGTH - 1;
  const h = em.subarray(dbLen, dbLen + SHA256_LENGTH);
  const topMask = 0xff >> (8 * emLen - emBits);
  if ((em[0]! & ~topMask) !== 0) return undefined;
  const db = mgf1(h, dbLen);
  for (let i = 0; i < dbLen; i++) db[i]! ^= em[i]!;
  db[0]! &= topMask;
  let i = 0;
  while (i < dbLen && db[i] === 0) i++;
  if (db[i] !== 0x01) return undefined;
  return dbLen - i - 1;
}

function mgf1(seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let counter = 0, at = 0; at < length; counter++, at += SHA256_LENGTH) {
    const h = getAbilities().createHasher("sha256");
    h.update(seed);
    h.update(
      new Uint8Array([counter >>> 24, (counter >>> 16) & 0xff, (counter >>> 8) & 0xff, counter & 0xff]),
    );
    out.set(h.digest().subarray(0, Math.min(SHA256_LENGTH, length - at)), at);
  }
  return out;
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

function bigintOf(bytes: Uint8Array): bigint {
  let hex = "";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return hex.length === 0 ? 0n : BigInt(`0x${hex}`);
}

function bytesOf(value: bigint, length: number): Uint8Array {
  const hex = value.toString(16).padStart(length * 2, "0");
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function base64url(text: string): Uint8Array {
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
