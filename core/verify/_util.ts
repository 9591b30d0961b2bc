/**
 * Private helpers of core/verify: argument checks shared by the streams.
 *
 * @module
 */
import { HASH_ALGORITHMS, type HashAlgorithm } from "../abilities.ts";

/** Throws `TypeError` unless `chunk` is a Uint8Array. */
export function checkChunk(chunk: unknown, what: string): asserts chunk is Uint8Array {
  if (!(chunk instanceof Uint8Array)) {
    throw new TypeError(
      `Cannot ${what}: chunks must be Uint8Array, got ${Object.prototype.toString.call(chunk)}`,
    );
  }
}

/** Throws `TypeError` unless `algorithm` is a supported hash algorithm. */
export function checkAlgorithm(algorithm: unknown, what: string): asserts algorithm is HashAlgorithm {
  if (!(HASH_ALGORITHMS as readonly unknown[]).includes(algorithm)) {
    throw new TypeError(`Cannot ${what}: unknown hash algorithm '${String(algorithm)}'`);
  }
}

/** Throws `RangeError` unless `n` is a non-negative safe integer; `what` reads "<action>: <argument>". */
export function checkLength(n: unknown, what: string): asserts n is number {
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`Cannot ${what} must be a non-negative integer, got ${String(n)}`);
  }
}

/** A promise with its settle functions; its rejection is marked handled (callers may not await it). */
export function deferred<T>(): {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
} {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/**
 * A byte Transformer with the `cancel` hook (called when the readable side is cancelled or the
 * writable side aborted; newer than the DOM typings, so declared here).
 */
export type CancellableTransformer = Transformer<Uint8Array, Uint8Array> & { cancel?(reason: unknown): void };
