/**
 * {@linkcode Storage} on Cloudflare R2 (the bucket binding of a Worker), with an optional KV
 * namespace as a read-through cache for immutable metadata (`tuf/<N>.*.json`; never for
 * `timestamp.json`, `root.json` or `releases.json`, which change and KV is eventually consistent).
 *
 * Layout in the bucket: documents at their repository path, uploaded blobs at `blobs/<sha256>`;
 * a static repository copied into the bucket as is (`targets/<dir>/<sha256>.<basename>`) is served too.
 * Publishes lock the bucket with a lease object (`.lock`, conditional puts; `_r2_lease.ts`).
 * @module
 */
import type { BlobInfo, BlobLocation, BlobRead, Storage, StorageLock } from "./storage.ts";
import { checkPath, checkSha256 } from "./_checks.ts";
import { type LeaseBucket, takeLease } from "./_r2_lease.ts";
import { HttpError } from "../http_error.ts";

/** The part of an R2 object this storage reads. */
export interface R2ObjectLike {
  size: number;
  etag?: string;
  body?: ReadableStream<Uint8Array>;
  arrayBuffer?(): Promise<ArrayBuffer>;
}

/** The part of the R2 bucket binding this storage uses (`R2Bucket` in workers-types). */
export interface R2BucketLike {
  head(key: string): Promise<R2ObjectLike | null>;
  get(key: string, options?: { range?: { offset: number; length: number } }): Promise<R2ObjectLike | null>;
  /** With `onlyIf`, resolves to `null` when the condition does not hold (nothing written). */
  put(
    key: string,
    value: ReadableStream | ArrayBuffer | Uint8Array,
    options?: { sha256?: string; onlyIf?: Record<string, string> },
  ): Promise<unknown>;
  delete?(key: string): Promise<void>;
  list(options?: { prefix?: string; cursor?: string }): Promise<
    { objects: { key: string }[]; truncated: boolean; cursor?: string }
  >;
}

/** The part of a KV namespace binding this storage uses. */
export interface KvLike {
  get(key: string, type: "arrayBuffer"): Promise<ArrayBuffer | null>;
  put(key: string, value: ArrayBuffer | Uint8Array): Promise<void>;
}

/** Versioned metadata, top-level or of a delegated role (core/trust role_name.ts): never rewritten. */
const IMMUTABLE = /^tuf\/[1-9][0-9]*\.[a-z0-9][a-z0-9_-]{0,63}\.json$/;

/**
 * R2-backed storage.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { R2Storage } from "./r2_storage.ts";
 * const objects = new Map<string, Uint8Array>();
 * const bucket = {
 *   head: async (k: string) => objects.has(k) ? { size: objects.get(k)!.length } : null,
 *   get: async (k: string) => objects.has(k) ? { size: objects.get(k)!.length, arrayBuffer: async () => objects.get(k)!.slice().buffer } : null,
 *   put: async (k: string, v: unknown) => { objects.set(k, v as Uint8Array); },
 *   list: async () => ({ objects: [...objects.keys()].map((key) => ({ key })), truncated: false }),
 * };
 * const storage = new R2Storage(bucket);
 * await storage.put("releases.json", new TextEncoder().encode("{}"));
 * assert.equal((await storage.get("releases.json"))?.length, 2);
 * ```
 */
export class R2Storage implements Storage {
  readonly #bucket: R2BucketLike;
  readonly #kv?: KvLike;

  constructor(bucket: R2BucketLike, options?: { kv?: KvLike }) {
    if (!bucket || typeof bucket.get !== "function") {
      throw new TypeError("Cannot open storage: no R2 bucket binding");
    }
    this.#bucket = bucket;
    this.#kv = options?.kv;
  }

  async get(path: string): Promise<Uint8Array | undefined> {
    checkPath(path);
    const cacheable = this.#kv !== undefined && IMMUTABLE.test(path);
    if (cacheable) {
      const cached = await this.#kv!.get(path, "arrayBuffer");
      if (cached) return new Uint8Array(cached);
    }
    const object = await this.#bucket.get(path);
    if (!object) return undefined;
    const bytes = new Uint8Array(await readAll(object));
    if (cacheable) await this.#kv!.put(path, bytes);
    return bytes;
  }

  async put(path: string, bytes: Uint8Array): Promise<void> {
    checkPath(path);
    await this.#bucket.put(path, bytes);
  }

  async list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.#bucket.list({ prefix, cursor });
      for (const object of page.objects) out.push(object.key);
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
    return out;
  }

  async headBlob(sha256: string, location?: BlobLocation): Promise<BlobInfo | undefined> {
    for (const key of candidates(sha256, location)) {
      const object = await this.#bucket.head(key);
      if (object) return { size: object.size };
    }
    return undefined;
  }

  async getBlob(
    sha256: string,
    options?: BlobLocation & { range?: { offset: number; length: number } },
  ): Promise<BlobRead | undefined> {
    for (const key of candidates(sha256, options)) {
      const range = options?.range;
      if (range && range.length === 0) {
        const head = await this.#bucket.head(key);
        if (head) return { body: new ReadableStream({ start: (c) => c.close() }), size: head.size };
        continue;
      }
      const object = await this.#bucket.get(key, range ? { range } : undefined);
      if (!object) continue;
      if (!object.body) throw new TypeError("Cannot read blob: R2 object has no body");
      return { body: object.body, size: object.size };
    }
    return undefined;
  }

  async putBlob(
    sha256: string,
    body: ReadableStream<Uint8Array>,
    options?: { length?: number },
  ): Promise<BlobInfo> {
    checkSha256(sha256);
    const Fixed =
      (globalThis as { FixedLengthStream?: new (n: number) => TransformStream<Uint8Array, Uint8Array> })
        .FixedLengthStream;
    const length = options?.length;
    if (length === undefined) {
      throw new HttpError(411, "Cannot store blob: R2 uploads need a Content-Length");
    }
    // R2 needs a known length to stream; Workers' FixedLengthStream gives one. R2 checks sha256 itself too.
    const value = Fixed ? body.pipeThrough(new Fixed(length)) : body;
    await this.#bucket.put(`blobs/${sha256}`, value, { sha256 });
    const head = await this.#bucket.head(`blobs/${sha256}`);
    if (!head) throw new TypeError("Cannot store blob: not found after writing");
    return { size: head.size };
  }

  /** A lease on the bucket (`.lock`, taken with conditional puts); a dead holder's lease expires. */
  lock(options: { waitMs?: number } = {}): Promise<StorageLock> {
    return takeLease(this.#bucket as LeaseBucket, { waitMs: options.waitMs ?? 10_000 });
  }
}

function candidates(sha256: string, location?: BlobLocation): string[] {
  checkSha256(sha256);
  const keys = [`blobs/${sha256}`];
  if (location?.path !== undefined) {
    checkPath(location.path);
    const base = location.path.slice(location.path.lastIndexOf("/") + 1);
    if (!location.path.startsWith("targets/") || !base.startsWith(`${sha256}.`)) {
      throw new TypeError(`Cannot locate blob: path does not name ${sha256}`);
    }
    keys.push(location.path);
  }
  return keys;
}

async function readAll(object: R2ObjectLike): Promise<ArrayBuffer> {
  if (object.arrayBuffer) return await object.arrayBuffer();
  if (object.body) return await new Response(object.body).arrayBuffer();
  return new ArrayBuffer(0);
}
