/**
 * Threshold verification of a TUF envelope against the keys a root lists for a role, done by
 * Drover with WebCrypto (not `@tufjs/models`' `verifyDelegate`, which fails in workerd): Ed25519,
 * ECDSA P-256 (`ecdsa-sha2-nistp256`) and RSA-PSS (`rsassa-pss-sha256`) keys.
 *
 * @example
 * ```ts
 * import { generateKeyPair, keyToTuf } from "./key_pair.ts";
 * import { signEnvelope } from "./envelope.ts";
 * import { verifyEnvelope } from "./verify_envelope.ts";
 * const key = await generateKeyPair();
 * const root = { keys: { [key.keyid]: keyToTuf(key) }, roles: { timestamp: { keyids: [key.keyid], threshold: 1 } } };
 * await verifyEnvelope(await signEnvelope({ _type: "timestamp" }, [key]), root, "timestamp");
 * ```
 * @module
 */
import { TrustError } from "../errors.ts";
import { canonicalBytes, type Envelope } from "./envelope.ts";
import { verifySignature } from "./_verify_signature.ts";

/** The part of a signed root that verification needs. */
export interface RootKeys {
  keys: Record<string, { keytype?: unknown; scheme?: unknown; keyval?: { public?: unknown } }>;
  roles: Record<string, { keyids: string[]; threshold: number }>;
}

/** Top-level TUF role names. */
export type RoleName = "root" | "targets" | "snapshot" | "timestamp";

/**
 * Count valid signatures of `envelope` by distinct keys that `root` lists for `role`; throw
 * `TrustError` ("Cannot verify <label>: signed by 0/1 keys") when the threshold is not met.
 * Signatures by unknown keys, keys of other roles, repeated keyids or keys of an unsupported type or
 * scheme never count.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { verifyEnvelope } from "./verify_envelope.ts";
 * const root = { keys: {}, roles: { targets: { keyids: [], threshold: 1 } } };
 * await verifyEnvelope({ signed: {}, signatures: [] }, root, "targets").catch((e) => assert.equal(e.code, "E_TRUST"));
 * ```
 */
export async function verifyEnvelope(
  envelope: Envelope<unknown>,
  root: RootKeys,
  role: RoleName,
  options: { label?: string } = {},
): Promise<number> {
  const label = options.label ?? `${role} metadata`;
  const def = root.roles?.[role];
  const threshold = def?.threshold ?? 0;
  if (!def || !Array.isArray(def.keyids) || !Number.isInteger(threshold) || threshold < 1) {
    throw new TrustError(`Cannot verify ${label}: root defines no valid '${role}' role`);
  }
  let data: Uint8Array<ArrayBuffer>;
  try {
    data = canonicalBytes(envelope.signed);
  } catch (error) {
    // canonical JSON has no floats: nothing of this form was ever signed
    throw new TrustError(`Cannot verify ${label}: its signed part is not canonical JSON`, { cause: error });
  }
  const allowed = new Set(def.keyids);
  const counted = new Set<string>();
  for (const { keyid, sig } of envelope.signatures ?? []) {
    if (typeof keyid !== "string" || !allowed.has(keyid) || counted.has(keyid)) continue;
    const key = root.keys?.[keyid];
    if (key && await verifySignature(key, sig, data)) counted.add(keyid);
  }
  if (counted.size < threshold) {
    throw new TrustError(`Cannot verify ${label}: signed by ${counted.size}/${threshold} keys`);
  }
  return counted.size;
}
