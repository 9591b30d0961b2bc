/**
 * Ed25519 key pairs for TUF roles, made and used through WebCrypto (works in Deno, Node 20+
 * and Cloudflare workerd). The keyid is the sha256 of the canonical JSON of the public key
 * object (TUF convention), so standard TUF clients agree on it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKeyPair, parseKeyFile } from "./key_pair.ts";
 * const key = await generateKeyPair();
 * const again = parseKeyFile(JSON.stringify(key));
 * assert.ok(again.keyid === key.keyid && key.public.length === 64);
 * ```
 * @module
 */
import { canonicalize } from "@tufjs/canonical-json";
import { hex, unhex } from "./_hex.ts";
import { digestHex } from "./_sha.ts";

/** An Ed25519 key pair as stored in a key file (`<keys>/<role>.json`, mode 0600). */
export interface KeyPair {
  /** sha256 of the canonical JSON of {@linkcode keyToTuf}(key). */
  keyid: string;
  keytype: "ed25519";
  scheme: "ed25519";
  /** Raw 32-byte public key, hex. */
  public: string;
  /** PKCS#8 private key, hex. Absent for a public-only key. */
  private: string;
}

/** The TUF public key object (what root metadata lists under `keys`). */
export interface TufKey {
  keytype: "ed25519";
  scheme: "ed25519";
  keyval: { public: string };
}

const ED25519 = { name: "Ed25519" } as const;

/**
 * The TUF key object of `key` (public part only).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKeyPair, keyToTuf } from "./key_pair.ts";
 * const tuf = keyToTuf(await generateKeyPair());
 * assert.ok(tuf.keytype === "ed25519" && !("private" in tuf.keyval));
 * ```
 */
export function keyToTuf(key: Pick<KeyPair, "public">): TufKey {
  return { keytype: "ed25519", scheme: "ed25519", keyval: { public: key.public } };
}

/**
 * The TUF keyid of a public key: sha256 of the canonical JSON of its key object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKeyPair, keyIdOf } from "./key_pair.ts";
 * const key = await generateKeyPair();
 * assert.equal(keyIdOf(key.public), key.keyid);
 * ```
 */
export function keyIdOf(publicHex: string): string {
  return digestHex("sha256", new TextEncoder().encode(canonicalize(keyToTuf({ public: publicHex }))));
}

/**
 * A fresh Ed25519 key pair (WebCrypto).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKeyPair } from "./key_pair.ts";
 * const key = await generateKeyPair();
 * assert.ok(/^[0-9a-f]{64}$/.test(key.keyid));
 * ```
 */
export async function generateKeyPair(): Promise<KeyPair> {
  const pair = await crypto.subtle.generateKey(ED25519, true, ["sign", "verify"]) as CryptoKeyPair;
  const pub = hex(new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey)));
  const priv = hex(new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey)));
  return { keyid: keyIdOf(pub), keytype: "ed25519", scheme: "ed25519", public: pub, private: priv };
}

/**
 * Parse and check a key file's text. Throws `SyntaxError` on bad JSON and `TypeError` when a
 * field is missing or wrong (including a keyid that does not match the public key).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKeyPair, parseKeyFile } from "./key_pair.ts";
 * const key = await generateKeyPair();
 * assert.equal(parseKeyFile(JSON.stringify(key)).public, key.public);
 * ```
 */
export function parseKeyFile(text: string): KeyPair {
  const data = JSON.parse(text) as Record<string, unknown>;
  if (typeof data !== "object" || data === null) throw new TypeError("Cannot parse key file: not an object");
  const { keytype, scheme, public: pub, private: priv, keyid } = data;
  if (keytype !== "ed25519" || scheme !== "ed25519") {
    throw new TypeError(`Cannot parse key file: unsupported key type '${String(keytype)}/${String(scheme)}'`);
  }
  if (typeof pub !== "string" || !/^[0-9a-f]{64}$/.test(pub)) {
    throw new TypeError("Cannot parse key file: 'public' must be 64 lower-case hex digits");
  }
  if (typeof priv !== "string" || unhex(priv) === undefined || priv.length === 0) {
    throw new TypeError("Cannot parse key file: 'private' must be hex PKCS#8");
  }
  const id = keyIdOf(pub);
  if (keyid !== undefined && keyid !== id) {
    throw new TypeError(`Cannot parse key file: keyid ${String(keyid)} does not match the public key`);
  }
  return { keyid: id, keytype, scheme, public: pub, private: priv.toLowerCase() };
}

/**
 * Check that the private key of `key` matches its public key (sign a probe, verify it);
 * `TypeError` when it does not, so a damaged key file cannot produce signatures nobody accepts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkKeyPair, generateKeyPair } from "./key_pair.ts";
 * const a = await generateKeyPair(), b = await generateKeyPair();
 * await checkKeyPair(a);
 * await checkKeyPair({ ...b, private: a.private }).catch((e) => assert.ok(e instanceof TypeError));
 * ```
 */
export async function checkKeyPair(key: KeyPair): Promise<void> {
  const probe = new TextEncoder().encode(`drover key check ${key.keyid}`);
  let ok = false;
  try {
    const sig = await crypto.subtle.sign("Ed25519", await signingKey(key), probe);
    ok = await crypto.subtle.verify("Ed25519", await verifyingKey(key.public), sig, probe);
  } catch (e) {
    throw new TypeError(`Cannot use key ${key.keyid}: ${(e as Error).message}`, { cause: e });
  }
  if (!ok) throw new TypeError(`Cannot use key ${key.keyid}: its private key does not match its public key`);
}

const privateCache = new Map<string, Promise<CryptoKey>>();
const publicCache = new Map<string, Promise<CryptoKey>>();

/** @internal The WebCrypto signing key of `key` (cached). */
export function signingKey(key: KeyPair): Promise<CryptoKey> {
  let k = privateCache.get(key.private);
  if (!k) {
    const bytes = unhex(key.private);
    if (!bytes) {
      return Promise.reject(new TypeError(`Cannot sign: key ${key.keyid} has no valid private key`));
    }
    k = crypto.subtle.importKey("pkcs8", bytes, ED25519, false, ["sign"]);
    k.catch(() => privateCache.delete(key.private));
    privateCache.set(key.private, k);
  }
  return k;
}

/** @internal The WebCrypto verifying key of a raw public key hex (cached); rejects on bad keys. */
export function verifyingKey(publicHex: string): Promise<CryptoKey> {
  let k = publicCache.get(publicHex);
  if (!k) {
    const bytes = unhex(publicHex);
    if (!bytes || bytes.length !== 32) {
      return Promise.reject(new TypeError("Cannot import key: not 32 bytes"));
    }
    k = crypto.subtle.importKey("raw", bytes, ED25519, true, ["verify"]);
    k.catch(() => publicCache.delete(publicHex));
    if (publicCache.size > 256) publicCache.clear();
    publicCache.set(publicHex, k);
  }
  return k;
}
