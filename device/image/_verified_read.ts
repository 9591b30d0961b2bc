/**
 * Private: reads a cached image and verifies it while it streams (length and sha256 beside the
 * read, no second pass). On a mismatch the consumer's stream errors with core's `IntegrityError`,
 * after `onCorrupt` has run: the cache drops the entry before anyone can read it again.
 * @module
 */
import { IntegrityError } from "../../core/errors.ts";
import { VerifyStream } from "../../core/verify/mod.ts";
import { fileStream } from "../fs/file_streams.ts";

/** Options of {@linkcode verifiedRead}. */
export interface VerifiedReadOptions {
  /** What is read, for error messages. */
  name: string;
  /** Runs once on a mismatch, before the stream errors (its own failure is ignored). */
  onCorrupt: (error: IntegrityError) => Promise<void>;
}

/**
 * The bytes of `path`, erroring with `IntegrityError` unless they are exactly `expected`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm, writeFile } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { verifiedRead } from "./_verified_read.ts";
 * const dir = await mkdtemp(join(tmpdir(), "read-"));
 * await writeFile(join(dir, "x"), "abd");
 * const abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
 * let dropped = false;
 * const stream = verifiedRead(join(dir, "x"), { length: 3, sha256: abc }, {
 *   name: "x",
 *   onCorrupt: async () => void (dropped = true),
 * });
 * await assert.rejects(stream.pipeTo(new WritableStream()), { code: "E_INTEGRITY" });
 * assert.ok(dropped);
 * await rm(dir, { recursive: true });
 * ```
 */
export function verifiedRead(
  path: string,
  expected: { length: number; sha256: string },
  options: VerifiedReadOptions,
): ReadableStream<Uint8Array> {
  const reader = fileStream(path)
    .pipeThrough(new VerifyStream(expected, { name: options.name }))
    .getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (error) {
        if (error instanceof IntegrityError) await options.onCorrupt(error).catch(() => {});
        throw error;
      }
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 1 });
}
