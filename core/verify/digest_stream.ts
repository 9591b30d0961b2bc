/**
 * A pass-through stream that hashes what flows through it.
 *
 * @module
 */
import { getAbilities, type HashAlgorithm, type Hasher } from "../abilities.ts";
import { type CancellableTransformer, checkAlgorithm, checkChunk, deferred } from "./_util.ts";
import { toHex } from "./hex.ts";

/** Options of {@linkcode DigestStream}. */
export interface DigestStreamOptions {
  /** A fresh hasher for the algorithm (default: `getAbilities().createHasher(algorithm)`). */
  hasher?: Hasher;
}

/**
 * Passes chunks through unchanged while hashing them; `digest` resolves with the lower-case hex
 * digest when the stream ends (and rejects with the stream's error if it fails, is cancelled or aborted).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DigestStream } from "./digest_stream.ts";
 * const digest = new DigestStream("sha256");
 * await new Blob(["abc"]).stream().pipeThrough(digest).pipeTo(new WritableStream());
 * assert.ok((await digest.digest).startsWith("ba7816bf"));
 * assert.equal(digest.bytes, 3);
 * ```
 */
export class DigestStream extends TransformStream<Uint8Array, Uint8Array> {
  /** Hex digest of everything that passed, once the stream has ended. */
  readonly digest: Promise<string>;
  #state: { bytes: number };

  constructor(algorithm: HashAlgorithm, options: DigestStreamOptions = {}) {
    checkAlgorithm(algorithm, "create DigestStream");
    const hasher = options.hasher ?? getAbilities().createHasher(algorithm);
    const state = { bytes: 0 };
    const result = deferred<string>();
    const transformer: CancellableTransformer = {
      transform(chunk, controller) {
        try {
          checkChunk(chunk, "hash stream");
          hasher.update(chunk);
          state.bytes += chunk.length;
          controller.enqueue(chunk);
        } catch (error) {
          result.reject(error);
          throw error;
        }
      },
      flush() {
        try {
          result.resolve(toHex(hasher.digest()));
        } catch (error) {
          result.reject(error);
          throw error;
        }
      },
      cancel(reason) {
        result.reject(reason);
      },
    };
    super(transformer);
    this.#state = state;
    this.digest = result.promise;
  }

  /** Bytes that have passed so far. */
  get bytes(): number {
    return this.#state.bytes;
  }
}
