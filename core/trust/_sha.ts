/** Private: one-shot digests through the injected hasher (native where the runtime has it). */
import { getAbilities, type HashAlgorithm } from "../abilities.ts";
import { hex } from "./_hex.ts";

/** Hex digest of `bytes`. */
export function digestHex(algorithm: HashAlgorithm, bytes: Uint8Array): string {
  const h = getAbilities().createHasher(algorithm);
  h.update(bytes);
  return hex(h.digest());
}

/** Hash algorithms TUF metadata may list that Drover computes, strongest first. */
export const TUF_HASH_ALGORITHMS = ["sha512", "sha384", "sha256"] as const;

/** One of {@linkcode TUF_HASH_ALGORITHMS}. */
export type TufHashAlgorithm = typeof TUF_HASH_ALGORITHMS[number];

/** Hex digits of each algorithm's digest. */
export const TUF_HEX_LENGTH: Readonly<Record<TufHashAlgorithm, number>> = {
  sha256: 64,
  sha384: 96,
  sha512: 128,
};

/** True when `name` is an algorithm of {@linkcode TUF_HASH_ALGORITHMS}. */
export function isTufHashAlgorithm(name: string): name is TufHashAlgorithm {
  return (TUF_HASH_ALGORITHMS as readonly string[]).includes(name);
}
