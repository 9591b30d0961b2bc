/**
 * The one module of core that touches `node:*`: native abilities for runtimes that have
 * Node built-ins (Deno, Node, Bun; workerd with `nodejs_compat` for hashing). Ed25519
 * verification (`node:crypto`'s one-shot `verify`) is offered only when it passes a known-answer
 * check of RFC 8032 when this module loads; elsewhere core keeps WebCrypto.
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
import { createHash, createPublicKey, verify } from "node:crypto";
import { createGunzip } from "node:zlib";
import type { Abilities, Ed25519Verifier, HashAlgorithm, Hasher } from "./abilities.ts";

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

/** DER SubjectPublicKeyInfo of an Ed25519 key, before its 32 raw bytes (RFC 8410). */
const ED25519_SPKI = Buffer.from("302a300506032b6570032100", "hex");

function importEd25519(publicKey: Uint8Array): Ed25519Verifier {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) {
    throw new TypeError("Cannot import Ed25519 key: expected 32 bytes");
  }
  const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI, publicKey]), format: "der", type: "spki" });
  return { verify: (signature, message) => verify(null, message, key, signature) };
}

/** RFC 8032 §7.1, test 1: the empty message signed; then the same signature with one bit changed. */
function ed25519Works(): boolean {
  try {
    const hex = (text: string) => new Uint8Array(Buffer.from(text, "hex"));
    const key = importEd25519(hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
    const signature = hex(
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    );
    const message = new Uint8Array(0);
    if (key.verify(signature, message) !== true) return false;
    signature[0]! ^= 1;
    return key.verify(signature, message) === false;
  } catch {
    return false;
  }
}

/** Options of {@linkcode NodeGunzipStream}. */
export interface NodeGunzipStreamOptions {
  /** zlib's output buffer: the largest chunk passed on (default 16 KiB). */
  chunkSize?: number;
}

/**
 * Gunzips over `node:zlib` (multi-member safe). Errors with zlib's error on corrupt input, from the
 * write or flush that found it: zlib never calls back the write it was processing when it failed, so
 * that pending write is rejected from the error event (else a corrupt archive hangs the pipeline).
 *
 * Output comes in chunks of up to `chunkSize` bytes (zlib's output buffer, default 16 KiB):
 * consecutive pieces of one zlib buffer are passed on as one view (no copy). Bigger buffers were not
 * faster in scripts/bench/install.ts and raised peak RSS by 10-20 MiB on Node. Memory stays bounded:
 * one input write is decompressed at a time.
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
    const size = options.chunkSize ?? 16 * 1024;
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
  ...(ed25519Works() ? { importEd25519 } : {}),
};
