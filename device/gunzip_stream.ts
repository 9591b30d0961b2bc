/**
 * A gunzip `TransformStream` over `node:zlib` whose every pending write and flush settles when
 * zlib fails. `core/node.ts`'s `NodeGunzipStream` keeps zlib's error for the *next* call: the
 * write zlib was processing when it found a bad CRC or header never calls back, so a corrupt
 * archive left `drover update` waiting forever on Node (exit 13, "unsettled top-level await").
 * The device injects this one (`device/cli.ts`) until core's is fixed the same way.
 *
 * Output is coalesced into chunks of at least `chunkSize` bytes (default 256 KiB; the last may be
 * smaller), so the tar parser and the extractor behind it see few, large chunks instead of zlib's
 * 16 KiB pieces. Memory stays bounded: one input write is decompressed at a time.
 *
 * @example
 * ```ts
 * import { gzipSync } from "node:zlib";
 * import { GunzipStream } from "./gunzip_stream.ts";
 * const gz = gzipSync(new TextEncoder().encode("hello"));
 * const text = await new Response(new Blob([gz]).stream().pipeThrough(new GunzipStream())).text();
 * console.assert(text === "hello");
 * ```
 * @module
 */
import { createGunzip } from "node:zlib";

/** Options of {@linkcode GunzipStream}. */
export interface GunzipStreamOptions {
  /** Smallest chunk passed on, except the last (default 256 KiB). */
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
    const size = options.chunkSize ?? 256 * 1024;
    if (!(Number.isSafeInteger(size) && size > 0)) {
      throw new RangeError("Cannot create GunzipStream: chunkSize must be a positive integer");
    }
    const z = createGunzip({ chunkSize: Math.min(size, 1024 * 1024) });
    let failure: unknown;
    /** Rejects the write or flush in progress (zlib does not call it back after an error). */
    let fail: ((error: unknown) => void) | undefined;
    let held: Uint8Array[] = [];
    let heldBytes = 0;
    let out: TransformStreamDefaultController<Uint8Array> | undefined;
    const pass = (min: number) => {
      if (heldBytes === 0 || heldBytes < min || !out) return;
      out.enqueue(held.length === 1 ? held[0]! : concat(held, heldBytes));
      held = [];
      heldBytes = 0;
    };
    z.on("error", (error: unknown) => {
      failure ??= error;
      fail?.(error);
    });
    z.on("data", (d: Uint8Array) => {
      held.push(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
      heldBytes += d.byteLength;
      try {
        pass(size);
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
        pass(0);
      },
      cancel() {
        z.destroy();
      },
    } as Transformer<Uint8Array, Uint8Array>);
  }
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const joined = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    joined.set(c, at);
    at += c.byteLength;
  }
  return joined;
}
