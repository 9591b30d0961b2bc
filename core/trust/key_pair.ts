/**
 * Key pairs for TUF roles, made and used through WebCrypto (works in Deno, Node 20+ and Cloudflare
 * workerd): Ed25519 by default, or ECDSA P-256 (`ecdsa-sha2-nistp256`: public key as PEM
 * SubjectPublicKeyInfo, signatures DER-encoded, as securesystemslib writes them). The keyid is the
 * sha256 of the canonical JSON of the public key object (TUF convention), so standard TUF clients
 * agree on it.
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
import { derOfPem, ecdsaRawToDer, pemOf } from "./_der.ts";
import { digestHex } from "./_sha.ts";
import { verifySignature } from "./_verify_signature.ts";

/** Key types Drover signs with. */
export type KeyType = "ed25519" | "ecdsa";

/** A key pair as stored in a key file (`<keys>/<role>.json`, mode 0600). */
export interface KeyPair {
  /** sha256 of the canonical JSON of {@linkcode keyToTuf}(key). */
  keyid: string;
  keytype: KeyType;
  scheme: "ed25519" | "ecdsa-sha2-nistp256";
  /** Ed25519: raw 32-byte public key, hex. ECDSA: PEM SubjectPublicKeyInfo. */
  public: string;
  /** PKCS#8 private key, hex. */
  private: string;
}

/** A TUF public key object (what root metadata lists under `keys`). */
export interface TufKey {
  keytype: string;
  scheme: string;
  keyval: { public: string };
}

const SCHEME = { ed25519: "ed25519", ecdsa: "ecdsa-sha2-nistp256" } as const;
const ALGORITHM = { ed25519: { name: "Ed25519" }, ecdsa: { name: "ECDSA", namedCurve: "P-256" } } as const;

/**
 * The TUF key object of `key` (public part only); Ed25519 unless `keytype` says otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKeyPair, keyToTuf } from "./key_pair.ts";
 * const tuf = keyToTuf(await generateKeyPair());
 * assert.ok(tuf.keytype === "ed25519" && !("private" in tuf.keyval));
 * ```
 */
export function keyToTuf(key: Pick<KeyPair, "public"> & { keytype?: string; scheme?: string }): TufKey {
  const keytype = key.keytype ?? "ed25519";
  const scheme = key.scheme ?? SCHEME[keytype as KeyType] ?? keytype;
  return { keytype, scheme, keyval: { public: key.public } };
}

/**
 * The TUF keyid of a public key: sha256 of the canonical JSON of its key object (a string is an
 * Ed25519 public key in hex).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKeyPair, keyIdOf, keyToTuf } from "./key_pair.ts";
 * const key = await generateKeyPair({ keyType: "ecdsa" });
 * assert.equal(keyIdOf(keyToTuf(key)), key.keyid);
 * ```
 */
export function keyIdOf(key: string | TufKey): string {
  const tuf = typeof key === "string" ? keyToTuf({ public: key }) : key;
  return digestHex("sha256", new TextEncoder().encode(canonicalize(tuf)));
}

/**
 * A fresh key pair (WebCrypto): Ed25519, or ECDSA P-256 with `keyType: "ecdsa"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKeyPair } from "./key_pair.ts";
 * const key = await generateKeyPair();
 * assert.ok(/^[0-9a-f]{64}$/.test(key.keyid));
 * ```
 */
export async function generateKeyPair(options: { keyType?: KeyType } = {}): Promise<KeyPair> {
  const keytype = options.keyType ?? "ed25519";
  if (keytype !== "ed25519" && keytype !== "ecdsa") {
    throw new TypeError(`Cannot generate key: unsupported key type '${String(keytype)}'`);
  }
  const pair = await crypto.subtle.generateKey(ALGORITHM[keytype], true, ["sign", "verify"]) as CryptoKeyPair;
  const pub = keytype === "ed25519"
    ? hex(new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey)))
    : pemOf("PUBLIC KEY", new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey)));
  const priv = hex(new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey)));
  const scheme = SCHEME[keytype];
  return {
    keyid: keyIdOf({ keytype, scheme, keyval: { public: pub } }),
    keytype,
    scheme,
    public: pub,
    private: priv,
  };
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
  if (!(keytype === "ed25519" || keytype === "ecdsa") || scheme !== SCHEME[keytype]) {
    throw new TypeError(`Cannot parse key file: unsupported key type '${String(keytype)}/${String(scheme)}'`);
  }
  if (keytype === "ed25519" && (typeof pub !== "string" || !/^[0-9a-f]{64}$/.test(pub))) {
    throw new TypeError("Cannot parse key file: 'public' must be 64 lower-case hex digits");
  }
  if (keytype === "ecdsa" && (typeof pub !== "string" || !derOfPem("PUBLIC KEY", pub))) {
    throw new TypeError("Cannot parse key file: 'public' must be a PEM public key");
  }
  if (typeof priv !== "string" || unhex(priv) === undefined || priv.length === 0) {
    throw new TypeError("Cannot parse key file: 'private' must be hex PKCS#8");
  }
  const id = keyIdOf({ keytype, scheme: SCHEME[keytype], keyval: { public: pub as string } });
  if (keyid !== undefined && keyid !== id) {
    throw new TypeError(`Cannot parse key file: keyid ${String(keyid)} does not match the public key`);
  }
  return { keyid: id, keytype, scheme: SCHEME[keytype], public: pub as string, private: priv.toLowerCase() };
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
    ok = await verifySignature(keyToTuf(key), await signBytes(key, probe), probe);
  } catch (e) {
    throw new TypeError(`Cannot use key ${key.keyid}: ${(e as Error).message}`, { cause: e });
  }
  if (!ok) throw new TypeError(`Cannot use key ${key.keyid}: its private key does not match its public key`);
}

const privateCache = new Map<string, Promise<CryptoKey>>();

/** @internal The signature of `data` by `key`, hex, encoded as TUF wants it (ECDSA: DER). */
export async function signBytes(key: KeyPair, data: Uint8Array<ArrayBuffer>): Promise<string> {
  if (key.keytype === "ecdsa") {
    const raw = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, await signingKey(key), data);
    return hex(ecdsaRawToDer(new Uint8Array(raw)));
  }
  return hex(new Uint8Array(await crypto.subtle.sign("Ed25519", await signingKey(key), data)));
}

function signingKey(key: KeyPair): Promise<CryptoKey> {
  const id = `${key.keytype}\n${key.private}`;
  let k = privateCache.get(id);
  if (!k) {
    const bytes = unhex(key.private);
    const algorithm = ALGORITHM[key.keytype];
    if (!bytes || !algorithm) {
      return Promise.reject(new TypeError(`Cannot sign: key ${key.keyid} has no valid private key`));
    }
    k = crypto.subtle.importKey("pkcs8", bytes, algorithm, false, ["sign"]);
    k.catch(() => privateCache.delete(id));
    privateCache.set(id, k);
  }
  return k;
}
