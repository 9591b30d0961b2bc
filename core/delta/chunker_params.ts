/**
 * The parameters of content-defined chunking (FastCDC-style gear hash with normalized chunking):
 * a chunk is at least `min` bytes, at most `max`, and cut where the rolling hash matches a mask that
 * is stricter before `avg` and looser after it. Published in every chunk index, so a device chunks
 * its seeds exactly as the publisher did.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkChunkerParams, DEFAULT_CHUNKER } from "./chunker_params.ts";
 * assert.deepEqual(checkChunkerParams({ ...DEFAULT_CHUNKER }), DEFAULT_CHUNKER);
 * assert.throws(() => checkChunkerParams({ ...DEFAULT_CHUNKER, avg: 1000 }), SyntaxError);
 * ```
 * @module
 */

/** Chunking parameters (byte counts; `avg` a power of two). */
export interface ChunkerParams {
  algorithm: "gear-fastcdc-v1";
  min: number;
  avg: number;
  max: number;
}

/** 16 KiB / 64 KiB / 256 KiB. */
export const DEFAULT_CHUNKER: Readonly<ChunkerParams> = Object.freeze({
  algorithm: "gear-fastcdc-v1",
  min: 16 * 1024,
  avg: 64 * 1024,
  max: 256 * 1024,
});

const pow2 = (n: number) => Number.isSafeInteger(n) && n > 0 && (n & (n - 1)) === 0;

/**
 * `value` as {@linkcode ChunkerParams} (exactly these keys); `SyntaxError` otherwise. Bounds:
 * 256 B ≤ min < avg < max ≤ 16 MiB, avg a power of two.
 */
export function checkChunkerParams(value: unknown): ChunkerParams {
  const v = value as Record<string, unknown>;
  const keys = typeof v === "object" && v !== null ? Object.keys(v).sort().join() : "";
  if (keys !== "algorithm,avg,max,min" || v.algorithm !== "gear-fastcdc-v1") {
    throw new SyntaxError(
      "Cannot read chunker parameters: expected { algorithm: gear-fastcdc-v1, min, avg, max }",
    );
  }
  const { min, avg, max } = v as unknown as ChunkerParams;
  if (
    !Number.isSafeInteger(min) || !Number.isSafeInteger(max) || !pow2(avg) || min < 256 ||
    !(min < avg && avg < max) || max > 16 * 2 ** 20
  ) {
    throw new SyntaxError(`Cannot read chunker parameters: min ${min}, avg ${avg}, max ${max} out of bounds`);
  }
  return { algorithm: "gear-fastcdc-v1", min, avg, max };
}
