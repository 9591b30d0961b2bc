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
 * Gunzips over `node:zlib` (multi-member safe), pulled by its reader: zlib stops inflating while a
 * `chunkSize` of output waits unread (its own back-pressure, kept by pausing it), so a write of any
 * size, a gzip bomb's included, holds at most about two output buffers; a write resolves once zlib has
 * taken all of it. Errors with zlib's error on corrupt or truncated input, on both sides.
 *
 * Output comes in chunks of up to `chunkSize` bytes (zlib's output buffer, default 256 KiB): on Node
 * every inflate call is one round trip through libuv's thread pool, so the fewer and bigger the
 * better. Installing the 512 MiB release of scripts/bench/install.ts on Node: 16 KiB buffers fed 32
 * KiB writes 3.9-4.8 s (52,000 thread-pool wake-ups); 256 KiB buffers 2.8-3.5 s; 256 KiB buffers fed
 * 256 KiB writes (safe only with this back-pressure) 2.0-2.2 s, all at the same peak RSS (76-78
 * MiB). 1 MiB buffers outlive two young-generation collections and peaked at 140 MiB.
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
export class NodeGunzipStream implements ReadableWritablePair<Uint8Array, Uint8Array> {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;

  constructor(options: NodeGunzipStreamOptions = {}) {
    const size = options.chunkSize ?? 256 * 1024;
    if (!(Number.isSafeInteger(size) && size > 0)) {
      throw new RangeError("Cannot create NodeGunzipStream: chunkSize must be a positive integer");
    }
    const z = createGunzip({ chunkSize: Math.min(size, 1024 * 1024) });
    z.pause();
    let failure: unknown;
    let ended = false;
    /** Output read from zlib, not passed on yet (at most about one buffer: zlib is paused beyond). */
    const queue: Uint8Array[] = [];
    /** Wakes the pull waiting for output, the end or an error. */
    let wake: (() => void) | undefined;
    /** Rejects the write or close in progress (zlib does not call it back after an error). */
    let fail: ((error: unknown) => void) | undefined;
    const notify = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    z.on("error", (error: unknown) => {
      failure ??= error;
      fail?.(error);
      notify();
    });
    z.on("end", () => {
      ended = true;
      notify();
    });
    /** Whether a whole zlib buffer is queued (zlib moves on to a new one): worth passing on. */
    let full = 0;
    z.on("data", (d: Uint8Array) => {
      queue.push(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
      if (d.byteOffset + d.byteLength >= d.buffer.byteLength) {
        full++;
        z.pause(); // zlib fills its own buffer, then waits for us
      }
      notify();
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
    /** The queued output, consecutive pieces of one zlib buffer joined into one view (no copy). */
    const take = (): Uint8Array => {
      let out = queue.shift()!;
      while (
        queue.length > 0 && queue[0]!.buffer === out.buffer &&
        out.byteOffset + out.byteLength === queue[0]!.byteOffset
      ) {
        const next = queue.shift()!;
        out = new Uint8Array(out.buffer, out.byteOffset, out.byteLength + next.byteLength);
      }
      if (out.byteOffset + out.byteLength >= out.buffer.byteLength) full--;
      return out;
    };
    this.readable = new ReadableStream<Uint8Array>({
      async pull(controller) {
        // A buffer is passed on once zlib has filled it (or at the end): few, big chunks.
        while (full === 0 && !ended && !failure) {
          const waiting = new Promise<void>((resolve) => (wake = resolve));
          z.resume();
          await waiting;
        }
        if (queue.length > 0) return controller.enqueue(take());
        if (failure) throw failure;
        controller.close();
      },
      cancel() {
        z.destroy();
      },
    }, { highWaterMark: 0 });
    this.writable = new WritableStream<Uint8Array>({
      write: (chunk) => settle((done) => z.write(chunk, (error) => done(error ?? undefined))),
      close: () =>
        settle((done) => {
          z.once("finish", () => done());
          z.end();
        }),
      abort() {
        z.destroy();
      },
    });
  }
}

/** Native hashing (`node:crypto`) and gunzip (`node:zlib`). */
export const nodeAbilities: Abilities = {
  name: "node",
  createHasher: nodeHasher,
  createGunzip: () => new NodeGunzipStream(),
  gunzipWriteBytes: 256 * 1024, // bounded by NodeGunzipStream's back-pressure; few thread-pool trips
};
