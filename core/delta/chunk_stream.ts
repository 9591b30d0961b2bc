/**
 * Content-defined chunking of a byte stream (FastCDC-style): a gear hash over the last 32 bytes
 * picks cut points, so an insertion or deletion moves only the boundaries near it and every other
 * chunk comes out byte-identical. Normalized chunking: a stricter mask (2 more bits) before `avg`,
 * a looser one (2 fewer) after it; the first `min - 64` bytes of a chunk are not hashed (the hash
 * only depends on the last 32 bytes, so skipping them changes nothing). Holds at most one chunk
 * (`max` bytes) at a time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ChunkStream } from "./chunk_stream.ts";
 * const bytes = new Uint8Array(300_000).map((_, i) => (i * 7919) % 251);
 * const chunks = await Array.fromAsync(ReadableStream.from([bytes]).pipeThrough(new ChunkStream()));
 * assert.equal(chunks.reduce((n, c) => n + c.bytes.length, 0), 300_000);
 * assert.equal(chunks[1]?.offset, chunks[0]?.bytes.length);
 * ```
 * @module
 */
import { GEAR } from "./_gear.ts";
import { checkChunkerParams, type ChunkerParams, DEFAULT_CHUNKER } from "./chunker_params.ts";

/** One chunk: its offset in the stream and its bytes (owned by the reader). */
export interface Chunk {
  offset: number;
  bytes: Uint8Array;
}

/** The high `bits` bits of a 32-bit word (the gear hash mixes into its high bits). */
const highMask = (bits: number) => (bits >= 32 ? 0xffffffff : (((1 << bits) - 1) << (32 - bits)) >>> 0);

/** Splits a byte stream into content-defined chunks. */
export class ChunkStream extends TransformStream<Uint8Array, Chunk> {
  constructor(params: ChunkerParams = DEFAULT_CHUNKER) {
    const { min, avg, max } = checkChunkerParams({ ...params });
    const bits = Math.round(Math.log2(avg));
    const maskS = highMask(bits + 2);
    const maskL = highMask(bits - 2);
    const skipTo = Math.max(0, min - 64);
    let buf = new Uint8Array(max);
    let len = 0; // bytes of the current chunk held in buf
    let hash = 0;
    let offset = 0; // stream offset of the current chunk
    const emit = (ctl: TransformStreamDefaultController<Chunk>) => {
      ctl.enqueue({ offset, bytes: buf.subarray(0, len) });
      offset += len;
      buf = new Uint8Array(max);
      len = 0;
      hash = 0;
    };
    super({
      transform(input, ctl) {
        let i = 0;
        while (i < input.length) {
          if (len < skipTo) {
            const n = Math.min(input.length - i, skipTo - len);
            buf.set(input.subarray(i, i + n), len);
            len += n;
            i += n;
            continue;
          }
          const start = i;
          let n = len;
          let h = hash;
          let cut = false;
          for (; i < input.length;) {
            h = ((h << 1) + GEAR[input[i++]!]!) >>> 0;
            n++;
            if (n >= min && ((h & (n < avg ? maskS : maskL)) === 0 || n >= max)) {
              cut = true;
              break;
            }
          }
          buf.set(input.subarray(start, i), len);
          len = n;
          hash = h;
          if (cut) emit(ctl);
        }
      },
      flush(ctl) {
        if (len > 0) emit(ctl);
      },
    });
  }
}
