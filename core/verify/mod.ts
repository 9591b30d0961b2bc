/**
 * Streaming integrity: digests, length caps, verification, re-chunking, hex.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DigestStream, RechunkStream } from "./mod.ts";
 * const digest = new DigestStream("sha1");
 * await new Blob(["abc"]).stream().pipeThrough(new RechunkStream()).pipeThrough(digest).pipeTo(new WritableStream());
 * assert.equal((await digest.digest), "a9993e364706816aba3e25717850c26c9cd0d89d");
 * ```
 * @module
 */
export { DigestStream, type DigestStreamOptions } from "./digest_stream.ts";
export { digestReadable, type DigestReadableOptions } from "./digest_readable.ts";
export { LimitStream, type LimitStreamOptions } from "./limit_stream.ts";
export {
  type ExpectedContent,
  type VerifyResult,
  VerifyStream,
  type VerifyStreamOptions,
} from "./verify_stream.ts";
export { DEFAULT_RECHUNK_SIZE, RechunkStream } from "./rechunk_stream.ts";
export { fromHex, toHex } from "./hex.ts";
export { readAll, type ReadAllOptions } from "./read_all.ts";
export { CAN_RELEASE, MIN_RELEASE, releaseBuffer } from "./release_buffer.ts";
export { ReleaseBehind } from "./release_behind.ts";
