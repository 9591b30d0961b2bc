/**
 * A pass-through stream that checks length and digests of what flows through it.
 *
 * @module
 */
import { getAbilities, HASH_ALGORITHMS, type HashAlgorithm, type Hasher } from "../abilities.ts";
import { IntegrityError } from "../errors.ts";
import { type CancellableTransformer, checkAlgorithm, checkChunk, checkLength, deferred } from "./_util.ts";
import { toHex } from "./hex.ts";

/** What the bytes must be: at least one digest, and the length if known. */
export interface ExpectedContent {
  /** Exact length in bytes. */
  length?: number;
  /** Hex digests (either case). */
  sha256?: string;
  sha1?: string;
  sha384?: string;
  sha512?: string;
}

/** Options of {@linkcode VerifyStream}. */
export interface VerifyStreamOptions {
  /** What is being verified, for error messages (default `artifact`). */
  name?: string;
  /** Called after each chunk with the bytes counted so far (prefix included). */
  onProgress?: (bytes: number) => void;
  /** Hasher factory (default: `getAbilities().createHasher`). */
  createHasher?: (algorithm: HashAlgorithm) => Hasher;
  /** Also compute these digests and report them in `done` (not checked). */
  compute?: HashAlgorithm[];
  /**
   * Bytes that come before the stream (resume: the `.part` file already on disk): hashed and counted
   * before the first chunk, but not passed on.
   */
  prefix?: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

/** What {@linkcode VerifyStream.done} resolves with. */
export interface VerifyResult {
  /** Bytes verified (prefix included). */
  length: number;
  /** Lower-case hex digests of every checked or computed algorithm. */
  hashes: Record<string, string>;
}

const HEX_LENGTH: Record<HashAlgorithm, number> = { sha256: 64, sha1: 40, sha384: 96, sha512: 128 };

function expectations(expected: ExpectedContent, name: string): Map<HashAlgorithm, string> {
  if (expected === null || typeof expected !== "object") {
    throw new TypeError(`Cannot verify ${name}: expected must be an object`);
  }
  if (expected.length !== undefined) checkLength(expected.length, `verify ${name}: length`);
  const digests = new Map<HashAlgorithm, string>();
  for (const algorithm of HASH_ALGORITHMS) {
    const hex = expected[algorithm];
    if (hex === undefined) continue;
    if (typeof hex !== "string" || hex.length !== HEX_LENGTH[algorithm] || !/^[0-9a-fA-F]*$/.test(hex)) {
      throw new TypeError(`Cannot verify ${name}: ${algorithm} must be ${HEX_LENGTH[algorithm]} hex digits`);
    }
    digests.set(algorithm, hex.toLowerCase());
  }
  if (digests.size === 0) {
    throw new TypeError(`Cannot verify ${name}: no digest given (sha256, sha1, sha384 or sha512)`);
  }
  return digests;
}

async function* chunksOf(
  source: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  if (source instanceof ReadableStream) {
    const reader = source.getReader();
    try {
      for (let r = await reader.read(); !r.done; r = await reader.read()) yield r.value;
    } finally {
      await reader.cancel().catch(() => {});
      reader.releaseLock();
    }
  } else {
    yield* source;
  }
}

/**
 * Passes chunks through while counting and hashing them. Errors with an {@linkcode IntegrityError}
 * (naming the artifact and the expected and actual values) on the first chunk that goes past
 * `expected.length` (that chunk is not passed on), and at the end on a short length or a digest
 * mismatch. Commit what was written only once `done` has resolved.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VerifyStream } from "./verify_stream.ts";
 * const verify = new VerifyStream({
 *   length: 3,
 *   sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
 * }, { name: "abc.txt" });
 * await new Blob(["abc"]).stream().pipeThrough(verify).pipeTo(new WritableStream());
 * assert.equal((await verify.done).length, 3);
 * ```
 */
export class VerifyStream extends TransformStream<Uint8Array, Uint8Array> {
  /** Resolves when the stream ended and everything matched; rejects with the stream's error. */
  readonly done: Promise<VerifyResult>;

  constructor(expected: ExpectedContent, options: VerifyStreamOptions = {}) {
    const name = options.name ?? "artifact";
    const digests = expectations(expected, name);
    const length = expected.length;
    for (const algorithm of options.compute ?? []) checkAlgorithm(algorithm, `verify ${name}`);
    const create = options.createHasher ??
      ((algorithm: HashAlgorithm) => getAbilities().createHasher(algorithm));
    const hashers = new Map<HashAlgorithm, Hasher>();
    for (const algorithm of [...digests.keys(), ...(options.compute ?? [])]) {
      if (!hashers.has(algorithm)) hashers.set(algorithm, create(algorithm));
    }
    const onProgress = options.onProgress;
    const result = deferred<VerifyResult>();
    let bytes = 0;

    const fail = (error: unknown): never => {
      result.reject(error);
      throw error;
    };
    const count = (chunk: Uint8Array): void => {
      checkChunk(chunk, `verify ${name}`);
      if (length !== undefined && bytes + chunk.length > length) {
        throw new IntegrityError(
          `Cannot verify ${name}: more than the expected ${length} bytes (got at least ${
            bytes + chunk.length
          })`,
        );
      }
      for (const hasher of hashers.values()) hasher.update(chunk);
      bytes += chunk.length;
    };

    const transformer: CancellableTransformer = {
      async start() {
        if (!options.prefix) return;
        try {
          for await (const chunk of chunksOf(options.prefix)) count(chunk);
          onProgress?.(bytes);
        } catch (error) {
          fail(error);
        }
      },
      transform(chunk, controller) {
        try {
          count(chunk);
          controller.enqueue(chunk);
          onProgress?.(bytes);
        } catch (error) {
          fail(error);
        }
      },
      flush() {
        if (length !== undefined && bytes !== length) {
          fail(new IntegrityError(`Cannot verify ${name}: got ${bytes} bytes, expected ${length}`));
        }
        const hashes: Record<string, string> = {};
        for (const [algorithm, hasher] of hashers) hashes[algorithm] = toHex(hasher.digest());
        for (const [algorithm, want] of digests) {
          if (hashes[algorithm] !== want) {
            fail(
              new IntegrityError(
                `Cannot verify ${name}: ${algorithm} mismatch (expected ${want}, got ${hashes[algorithm]})`,
              ),
            );
          }
        }
        result.resolve({ length: bytes, hashes });
      },
      cancel(reason) {
        result.reject(reason);
      },
    };
    super(transformer);
    this.done = result.promise;
  }
}
