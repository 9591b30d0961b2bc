/**
 * Private: verify one TUF signature with WebCrypto (Deno, Node 20+, workerd) for the key types and
 * schemes of the TUF specification: `ed25519` (raw public key, hex), `ecdsa`/`ecdsa-sha2-nistp256`
 * (PEM SubjectPublicKeyInfo; DER signature) and `rsa`/`rsassa-pss-sha256` (PEM SubjectPublicKeyInfo;
 * PSS with MGF1-SHA-256 and any salt length). Anything else never verifies.
 */
import { unhex } from "./_hex.ts";
import { derOfPem, ecdsaDerToRaw } from "./_der.ts";
import { pssSaltLength, type RsaPublic, rsaPublicOf } from "./_rsa_pss.ts";

/** A public key as TUF root metadata lists it (fields unchecked). */
export interface ListedKey {
  keytype?: unknown;
  scheme?: unknown;
  keyval?: { public?: unknown };
}

/** The scheme a listed key verifies with, or `undefined` when Drover does not support it. */
export function schemeOf(
  key: ListedKey,
): "ed25519" | "ecdsa-sha2-nistp256" | "rsassa-pss-sha256" | undefined {
  const { keytype, scheme } = key;
  if (keytype === "ed25519" && scheme === "ed25519") return scheme;
  if ((keytype === "ecdsa" || keytype === "ecdsa-sha2-nistp256") && scheme === "ecdsa-sha2-nistp256") {
    return scheme;
  }
  if (keytype === "rsa" && scheme === "rsassa-pss-sha256") return scheme;
  return undefined;
}

type Imported = { key: CryptoKey; rsa?: RsaPublic };
const cache = new Map<string, Promise<Imported>>();

/** True when `sigHex` is a valid signature of `data` by `key`; false for any malformed part. */
export async function verifySignature(
  key: ListedKey,
  sigHex: unknown,
  data: Uint8Array<ArrayBuffer>,
): Promise<boolean> {
  const scheme = schemeOf(key);
  const pub = key.keyval?.public;
  const sig = typeof sigHex === "string" ? unhex(sigHex) : undefined;
  if (!scheme || typeof pub !== "string" || !sig) return false;
  try {
    const { key: k, rsa } = await importListed(scheme, pub);
    if (scheme === "ed25519") return sig.length === 64 && await crypto.subtle.verify("Ed25519", k, sig, data);
    if (scheme === "ecdsa-sha2-nistp256") {
      const raw = ecdsaDerToRaw(sig, 32);
      return raw !== undefined &&
        await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, k, raw, data);
    }
    const saltLength = pssSaltLength(rsa!, sig);
    return saltLength !== undefined &&
      await crypto.subtle.verify({ name: "RSA-PSS", saltLength }, k, sig, data);
  } catch {
    return false;
  }
}

/** @internal The WebCrypto key of a listed public key (cached); rejects on keys that do not import. */
export function importListed(
  scheme: NonNullable<ReturnType<typeof schemeOf>>,
  pub: string,
): Promise<Imported> {
  const id = `${scheme}\n${pub}`;
  let k = cache.get(id);
  if (!k) {
    k = importNow(scheme, pub);
    k.catch(() => cache.delete(id));
    if (cache.size > 256) cache.clear();
    cache.set(id, k);
  }
  return k;
}

async function importNow(scheme: NonNullable<ReturnType<typeof schemeOf>>, pub: string): Promise<Imported> {
  if (scheme === "ed25519") {
    const raw = unhex(pub);
    if (!raw || raw.length !== 32) throw new TypeError("Cannot import key: not 32 bytes");
    return { key: await crypto.subtle.importKey("raw", raw, "Ed25519", true, ["verify"]) };
  }
  const der = derOfPem("PUBLIC KEY", pub);
  if (!der) throw new TypeError("Cannot import key: not a PEM public key");
  if (scheme === "ecdsa-sha2-nistp256") {
    const params = { name: "ECDSA", namedCurve: "P-256" };
    return { key: await crypto.subtle.importKey("spki", der, params, true, ["verify"]) };
  }
  const key = await crypto.subtle.importKey("spki", der, { name: "RSA-PSS", hash: "SHA-256" }, true, [
    "verify",
  ]);
  return { key, rsa: await rsaPublicOf(key) };
}
