/**
 * The one module of core that touches `node:*`: native abilities for runtimes that have
 * Node built-ins (Deno, Node, Bun; workerd with `nodejs_compat` for hashing).
 * Not re-exported by `core/mod.ts`, so core type-checks and bundles without it.
 *
 * @example
 * ```ts
 * import { setAbilities } from "./abilities.ts";
 * import { nodeAbilities } from "./node.ts";
 * setAbilities(nodeAbilities);
 * ```
 * @module
 */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { createGunzip } from "node:zlib";
import type { Abilities, HashAlgorithm, Hasher } from "./abilities.ts";

/** Bytes gathered before one native `update` call: per-call overhead dominates at 64 KiB chunks. */
const BATCH = 1024 * 1024;

function nodeHasher(algorithm: HashAlgorithm): Hasher {
  const h = createHash(algorithm);
  let scratch: Buffer | undefined;
  let filled = 0;
  let first = true;
  return {
    update(chunk) {
      // The first chunk goes straight in: a one-shot digest (a request body, a key) never pays for
      // the 1 MiB scratch, whose allocation costs far more than hashing a few KiB.
      if (first) {
        first = false;
        return void h.update(chunk);
      }
      if (filled + chunk.length > BATCH) {
        if (filled > 0) h.update(scratch!.subarray(0, filled));
        filled = 0;
        if (chunk.length >= BATCH) return void h.update(chunk);
      }
      scratch ??= Buffer.allocUnsafe(BATCH);
      scratch.set(chunk, filled);
      filled += chunk.length;
    },
    digest() {
      if (filled > 0) h.update(scratch!.subarray(0, filled));
      scratch = undefined;
      const b = h.digest();
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    },
  };
}

/** Options of {@linkcode NodeGunzipStream}. */
export interface NodeGunzipStreamOptions {
  /** zlib's output buffer: the largest chunk passed on (default 256 KiB). */
  chunkSize?: number;
}

/**
 * Gunzips over `node:zlib` (multi-member safe). Errors with zlib's error on corrupt input, from the
 * write or flush that found it: zlib never calls back the write it was processing when it failed, so
 * that pending write is rejected from the error event (else a corrupt archive hangs the pipeline).
 *
 * Output comes in chunks of up to `chunkSize` bytes (zlib's output buffer, default 256 KiB):
 * consecutive pieces of one zlib buffer are passed on as one view (no copy). On Node every filled
 * buffer is one round trip through libuv's thread pool: installing the 512 MiB release of
 * scripts/bench/install.ts took 3.9-4.8 s with 16 KiB (zlib's default; 52,000 thread-pool wake-ups),
 * 3.2-3.6 s with 64 KiB, 2.8-3.5 s with 256 KiB, at the same peak RSS (76-78 MiB); 1 MiB buffers
 * outlive two young-generation collections and peaked at 140 MiB. Memory stays bounded: one input
 * write is decompressed at a time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NodeGunzipStream } from "./node.ts";
 * const bad = new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]);
 * await new Response(new Blob([bad]).stream().pipeThrough(new NodeGunzipStream())).arrayBuffer()
 *   .then(() => assert.ok(false), (e) => assert.ok(e instanceof Error));
 * ```
 */
export class NodeGunzipStream extends TransformStream<Uint8Array, Uint8Array> {
  constructor(options: NodeGunzipStreamOptions = {}) {
    const size = options.chunkSize ?? 256 * 1024;
    if (!(Number.isSafeInteger(size) && size > 0)) {
      throw new RangeError("Cannot create NodeGunzipStream: chunkSize must be a positive integer");
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

/** Native hashing (`node:crypto`) and gunzip (`node:zlib`). */
export const nodeAbilities: Abilities = {
  name: "node",
  createHasher: nodeHasher,
  createGunzip: () => new NodeGunzipStream(),
};
