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
  return {
    update(chunk) {
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

/** A gunzip TransformStream over `node:zlib` (multi-member safe, bounded memory). */
export class NodeGunzipStream extends TransformStream<Uint8Array, Uint8Array> {
  constructor() {
    const z = createGunzip();
    let failed: unknown;
    z.on("error", (e) => (failed = e));
    super({
      start(controller) {
        z.on("data", (d: Uint8Array) => controller.enqueue(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)));
      },
      transform(chunk) {
        return new Promise<void>((resolve, reject) => {
          if (failed) return reject(failed);
          z.write(chunk, (err) => (err ? reject(err) : resolve()));
        });
      },
      flush() {
        return new Promise<void>((resolve, reject) => {
          if (failed) return reject(failed);
          z.once("end", resolve);
          z.once("error", reject);
          z.end();
        });
      },
      cancel() {
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
};
