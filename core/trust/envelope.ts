/**
 * Signed TUF metadata envelopes: `{ signed, signatures: [{ keyid, sig }] }`, signed over the
 * canonical JSON of `signed` (`@tufjs/canonical-json`) by WebCrypto (Ed25519 or ECDSA P-256 keys).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKeyPair } from "./key_pair.ts";
 * import { decodeMetadata, encodeMetadata, signEnvelope } from "./envelope.ts";
 * const key = await generateKeyPair();
 * const env = await signEnvelope({ _type: "timestamp", version: 1 }, [key]);
 * assert.equal(decodeMetadata(encodeMetadata(env)).signatures[0]?.keyid, key.keyid);
 * ```
 * @module
 */
import { canonicalize } from "@tufjs/canonical-json";
import { type KeyPair, signBytes } from "./key_pair.ts";

/** One signature of an envelope. */
export interface EnvelopeSignature {
  keyid: string;
  /** Signature, hex (ECDSA: DER-encoded). */
  sig: string;
}

/** A signed TUF metadata document. */
export interface Envelope<T = Record<string, unknown>> {
  signed: T;
  signatures: EnvelopeSignature[];
}

/** The bytes that are signed: canonical JSON of `signed`. */
export function canonicalBytes(signed: unknown): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(canonicalize(signed));
}

/**
 * Sign `signed` with each of `keys` (one signature per distinct keyid).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKeyPair } from "./key_pair.ts";
 * import { signEnvelope } from "./envelope.ts";
 * const env = await signEnvelope({ _type: "targets" }, [await generateKeyPair()]);
 * assert.equal(env.signatures[0]?.sig.length, 128);
 * ```
 */
export async function signEnvelope<T extends object>(
  signed: T,
  keys: readonly KeyPair[],
): Promise<Envelope<T>> {
  if (keys.length === 0) throw new TypeError("Cannot sign metadata: no keys given");
  const data = canonicalBytes(signed);
  const signatures: EnvelopeSignature[] = [];
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key.keyid)) continue;
    seen.add(key.keyid);
    signatures.push({ keyid: key.keyid, sig: await signBytes(key, data) });
  }
  return { signed, signatures };
}

/**
 * The bytes of an envelope as written to disk and served: JSON with sorted keys and no whitespace
 * (deterministic, so its length and hashes can be recorded in snapshot and timestamp metadata).
 * This is the canonical JSON that is signed, except that strings are escaped as JSON needs:
 * canonical JSON leaves the newlines of a PEM public key raw, which no JSON parser reads.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeMetadata } from "./envelope.ts";
 * const bytes = encodeMetadata({ signed: { b: 1, a: 2, pem: "x\ny" }, signatures: [] });
 * assert.equal(new TextDecoder().decode(bytes), '{"signatures":[],"signed":{"a":2,"b":1,"pem":"x\\ny"}}');
 * ```
 */
export function encodeMetadata(envelope: Envelope<unknown>): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(JSON.stringify(sortedKeys(envelope)));
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = sortedKeys(v);
  }
  return out;
}

/**
 * Parse metadata bytes into an envelope (shape only; no signature check). Throws
 * `SyntaxError` for bad JSON and `TypeError` for a wrong shape.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeMetadata } from "./envelope.ts";
 * const env = decodeMetadata(new TextEncoder().encode('{"signed":{"_type":"root"},"signatures":[]}'));
 * assert.equal(env.signed._type, "root");
 * ```
 */
export function decodeMetadata(bytes: Uint8Array): Envelope {
  const data = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as unknown;
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new TypeError("Cannot parse metadata: not an object");
  }
  const { signed, signatures } = data as Record<string, unknown>;
  if (typeof signed !== "object" || signed === null || Array.isArray(signed)) {
    throw new TypeError("Cannot parse metadata: 'signed' is not an object");
  }
  if (!Array.isArray(signatures)) throw new TypeError("Cannot parse metadata: 'signatures' is not an array");
  for (const s of signatures) {
    if (typeof s?.keyid !== "string" || typeof s?.sig !== "string") {
      throw new TypeError("Cannot parse metadata: a signature lacks keyid or sig");
    }
  }
  return data as Envelope;
}
