/**
 * Runtime abilities that core needs but Web APIs do not give fast or correctly everywhere:
 * an incremental hasher and a gzip decompressor. Core uses the portable defaults
 * (`@noble/hashes`, Web `DecompressionStream`); runtime entries that have `node:*`
 * built-ins call {@linkcode setAbilities} once with `nodeAbilities` from `core/node.ts`
 * (native hashing at openssl speed, `node:zlib` which handles multi-member gzip in
 * bounded memory).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getAbilities } from "./abilities.ts";
 * const h = getAbilities().createHasher("sha256");
 * h.update(new TextEncoder().encode("abc"));
 * assert.equal(h.digest().length, 32);
 * ```
 * @module
 */
import { sha1 } from "@noble/hashes/legacy.js";
import { sha256, sha384, sha512 } from "@noble/hashes/sha2.js";

/** Digest algorithms Drover verifies. */
export type HashAlgorithm = "sha256" | "sha1" | "sha384" | "sha512";

/** All supported algorithms, for argument checks. */
export const HASH_ALGORITHMS: readonly HashAlgorithm[] = ["sha256", "sha1", "sha384", "sha512"];

/** An incremental hash. `digest()` may be called once. */
export interface Hasher {
  update(chunk: Uint8Array): void;
  digest(): Uint8Array;
}

/** What a runtime injects into core. */
export interface Abilities {
  /** A fresh incremental hasher for `algorithm`. */
  createHasher(algorithm: HashAlgorithm): Hasher;
  /** A fresh gzip decompressor (must accept multi-member gzip, bounded memory). */
  createGunzip(): ReadableWritablePair<Uint8Array, Uint8Array>;
  /**
   * Largest write into {@linkcode Abilities.createGunzip}'s stream that keeps memory bounded: a
   * decompressor that queues all the output of a write (Web `DecompressionStream`) holds up to ~1032
   * times the write for a gzip bomb; one pulled by its reader holds about one output buffer whatever
   * the write.
   */
  readonly gunzipWriteBytes: number;
  /** Human name of the backend, for benchmarks and `--version` output. */
  readonly name: string;
}

const NOBLE = { sha256, sha1, sha384, sha512 } as const;

/** Portable abilities: `@noble/hashes` and Web `DecompressionStream`. */
export const webAbilities: Abilities = {
  name: "web",
  gunzipWriteBytes: 32 * 1024, // a bomb's write: ~32 MiB at worst
  createHasher(algorithm) {
    const fn = NOBLE[algorithm];
    if (!fn) throw new TypeError(`Cannot create hasher: unknown algorithm '${String(algorithm)}'`);
    return fn.create();
  },
  createGunzip() {
    return new DecompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>;
  },
};

let current: Abilities = webAbilities;

/** The abilities in force (the portable defaults until a runtime entry sets others). */
export function getAbilities(): Abilities {
  return current;
}

/** Replace the abilities in force; returns the previous ones (handy in tests). */
export function setAbilities(abilities: Abilities): Abilities {
  const previous = current;
  current = abilities;
  return previous;
}
