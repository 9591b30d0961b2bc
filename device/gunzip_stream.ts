/**
 * A gunzip `TransformStream` over `node:zlib` whose every pending write and flush settles when
 * zlib fails. `core/node.ts`'s `NodeGunzipStream` keeps zlib's error for the *next* call: the
 * write zlib was processing when it found a bad CRC or header never calls back, so a corrupt
 * archive left `drover update` waiting forever on Node (exit 13, "unsettled top-level await").
 * The device injects this one (`device/cli.ts`) until core's is fixed the same way.
 *
 * Output comes in chunks of up to `chunkSize` bytes (zlib's output buffer, default 16 KiB): zlib
 * fills one buffer with the output of one or more writes, and consecutive pieces of the same buffer
 * are passed on as one view (no copy). Bigger buffers (64 KiB, 256 KiB) were not faster in
 * scripts/bench/install.ts and raised peak RSS by 10-20 MiB on Node. Memory stays bounded: one input
 * write is decompressed at a time.
 *
 * @example
 * ```ts
 * import { gzipSync } from "node:zlib";
 * import { GunzipStream } from "./gunzip_stream.ts";
 * const gz = new Uint8Array(gzipSync(new TextEncoder().encode("hello")));
 * const text = await new Response(new Blob([gz]).stream().pipeThrough(new GunzipStream())).text();
 * console.assert(text === "hello");
 * ```
 * @module
 */
import { createGunzip } from "node:zlib";

/** Options of {@linkcode GunzipStream}. */
export interface GunzipStreamOptions {
  /** zlib's output buffer: the largest chunk passed on (default 16 KiB). */
  chunkSize?: number;
}

/**
 * Gunzips (multi-member safe). Errors with zlib's error on corrupt input, from the write or flush
 * that found it. See the module doc.
 *
 * @example
 * ```ts
 * import { GunzipStream } from "./gunzip_stream.ts";
 * const bad = new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]);
 * await new Response(new Blob([bad]).stream().pipeThrough(new GunzipStream())).arrayBuffer()
 *   .then(() => console.assert(false), (e) => console.assert(e instanceof Error));
 * ```
 */
export class GunzipStream extends TransformStream<Uint8Array, Uint8Array> {
  constructor(options: GunzipStreamOptions = {}) {
    const size = options.chunkSize ?? 16 * 1024;
    if (!(Number.isSafeInteger(size) && size > 0)) {
      throw new RangeError("Cannot create GunzipStream: chunkSize must be a positive integer");
    }
    const z = createGunzip({ chunkSize: Math.min(size, 1024 * 1024) });
    let failure: unknown;
    /** Rejects the write or flush in progress (zlib does not call it back after an error). */
    let fail: ((error: unknown) => void) | undefined;
    /** A run of consecutive output in one zlib buffer, not passed on yet. */
    let held: Uint8Array | undefined;
    let out: TransformStreamDefaultController<Uint8Array> | undefined;
    const pass = () => {
      if (held && out) out.enqueue(held);
      held = undefined;
    };
    z.on("error", (error: unknown) => {
      failure ??= error;
      fail?.(error);
    });
    z.on("data", (d: Uint8Array) => {
      try {
        if (held && held.buffer === d.buffer && held.byteOffset + held.byteLength === d.byteOffset) {
          held = new Uint8Array(held.buffer, held.byteOffset, held.byteLength + d.byteLength);
        } else {
          pass();
          held = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
        }
        if (held.byteOffset + held.byteLength >= held.buffer.byteLength) pass(); // zlib moves on
      } catch (error) {
        z.destroy(error as Error); // the readable side is gone
      }
    });
    const settle = (act: (done: (error?: unknown) => void) => void) =>
      new Promise<void>((resolve, reject) => {
        if (failure) return reject(failure);
        fail = reject;
        act((error) => {
          fail = undefined;
          if (error ?? failure) reject(error ?? failure);
          else resolve();
        });
      });
    super({
      start(controller) {
        out = controller;
      },
      transform(chunk) {
        return settle((done) => z.write(chunk, (error) => done(error ?? undefined)));
      },
      async flush() {
        await settle((done) => {
          z.once("end", () => done());
          z.end();
        });
        pass();
      },
      cancel() {
        z.destroy();
      },
    } as Transformer<Uint8Array, Uint8Array>);
  }
}
