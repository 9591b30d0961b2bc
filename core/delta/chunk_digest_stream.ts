/**
 * Adds each chunk's sha256 (hex, of its bytes) as it passes: `ChunkStream` output in, the same
 * chunks with their digest out. Hashes with the injected hasher (core/abilities).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ChunkDigestStream } from "./chunk_digest_stream.ts";
 * const out = await Array.fromAsync(
 *   ReadableStream.from([{ offset: 0, bytes: new TextEncoder().encode("abc") }]).pipeThrough(new ChunkDigestStream()),
 * );
 * assert.equal(out[0]?.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
 * ```
 * @module
 */
import { getAbilities } from "../abilities.ts";
import { toHex } from "../verify/mod.ts";
import type { Chunk } from "./chunk_stream.ts";

/** A chunk with its sha256. */
export interface DigestedChunk extends Chunk {
  sha256: string;
}

/** sha256 of each chunk. */
export class ChunkDigestStream extends TransformStream<Chunk, DigestedChunk> {
  constructor() {
    super({
      transform(chunk, ctl) {
        const h = getAbilities().createHasher("sha256");
        h.update(chunk.bytes);
        ctl.enqueue({ ...chunk, sha256: toHex(h.digest()) });
      },
    });
  }
}
