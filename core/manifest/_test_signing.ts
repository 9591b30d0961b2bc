/** Test helper: a real Ed25519 targets key and root, and signed manifest bytes. @module */
import { encodeMetadata, signEnvelope } from "../trust/envelope.ts";
import { generateKeyPair, type KeyPair, keyToTuf } from "../trust/key_pair.ts";
import { verifyEnvelope } from "../trust/verify_envelope.ts";
import type { Manifest, ManifestArtifact, SignedManifest } from "./manifest.ts";
import { miniHashOfBytes } from "./mini_hash.ts";

/** A targets key, its root, a verifier and a signer. */
export async function testSigning(): Promise<{
  key: KeyPair;
  verify: (env: SignedManifest) => Promise<void>;
  sign: (m: unknown, key?: KeyPair) => Promise<Uint8Array>;
}> {
  const key = await generateKeyPair();
  const root = {
    keys: { [key.keyid]: keyToTuf(key) },
    roles: { targets: { keyids: [key.keyid], threshold: 1 } },
  };
  return {
    key,
    verify: async (env) => void (await verifyEnvelope(env, root, "targets")),
    sign: async (m, k = key) => encodeMetadata(await signEnvelope(m as object, [k])),
  };
}

/** Deterministic artifact bytes of `size` from a seed. */
export function bytesOf(seed: number, size: number): Uint8Array {
  const b = new Uint8Array(size);
  let x = seed * 2654435761 >>> 0;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

/** The manifest entry of `bytes` (sha256 by WebCrypto, mini-hash). */
export async function entryOf(id: string, bytes: Uint8Array): Promise<ManifestArtifact> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  const sha256 = [...d].map((b) => b.toString(16).padStart(2, "0")).join("");
  return { id, sha256, size: bytes.byteLength, miniHash: miniHashOfBytes(bytes) };
}

/** A valid manifest body with defaults. */
export function manifestOf(id: string, fields: Partial<Manifest> = {}): Manifest {
  return {
    type: "drover-manifest",
    kind: "install",
    target: "device",
    id,
    version: "1.0.0",
    deviceTypes: ["rpi4"],
    mode: "trusted",
    nodes: { primary: [] },
    ...fields,
  };
}
