/**
 * Byte carriers for manifest sources: a directory (node:fs) or an HTTP base URL (device/net/http.ts), with the
 * few operations sources need: size, range read, stream, small whole read, listing. Paths are relative,
 * `/`-separated and already validated by the caller.
 * @module
 */
import { open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { NotFoundError, TransientError } from "../../core/errors.ts";
import { baseUrl, joinUrl } from "../../core/url/mod.ts";
import { type FetchPolicy, openUrl, withRetries } from "../net/http.ts";
import { fileStream } from "../fs/file_streams.ts";

/** A place bytes come from. `size` and `bytes` give `undefined` for a missing file. */
export interface Carrier {
  readonly name: string;
  size(rel: string): Promise<number | undefined>;
  range(rel: string, offset: number, length: number): Promise<Uint8Array>;
  stream(rel: string, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>>;
  bytes(rel: string, max: number): Promise<Uint8Array | undefined>;
  /** Files directly in `rel` (name, size), or `undefined` when listing is impossible. */
  list(rel: string): Promise<{ name: string; size: number }[] | undefined>;
}

async function collect(body: ReadableStream<Uint8Array>, max: number, skip = 0): Promise<Uint8Array> {
  const out = new Uint8Array(max);
  let got = 0;
  let skipped = 0;
  const reader = body.getReader();
  try {
    while (got < max) {
      const { done, value } = await reader.read();
      if (done) break;
      let chunk = value;
      if (skipped < skip) {
        const drop = Math.min(skip - skipped, chunk.byteLength);
        skipped += drop;
        chunk = chunk.subarray(drop);
      }
      const take = Math.min(chunk.byteLength, max - got);
      out.set(chunk.subarray(0, take), got);
      got += take;
    }
  } finally {
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
  return out.subarray(0, got);
}

/** Files under a directory (a USB mount, an install dir, a repository copy). */
export class DirCarrier implements Carrier {
  readonly name: string;
  #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
    this.name = `dir:${dir}`;
  }

  async size(rel: string): Promise<number | undefined> {
    const st = await stat(join(this.#dir, rel)).catch((e) => {
      if (e.code === "ENOENT" || e.code === "ENOTDIR") return undefined;
      throw e;
    });
    return st?.isFile() ? st.size : undefined;
  }

  async range(rel: string, offset: number, length: number): Promise<Uint8Array> {
    const h = await open(join(this.#dir, rel), "r");
    try {
      const buf = new Uint8Array(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await h.read(buf, got, length - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return buf.subarray(0, got);
    } finally {
      await h.close();
    }
  }

  stream(rel: string): Promise<ReadableStream<Uint8Array>> {
    return Promise.resolve(fileStream(join(this.#dir, rel)));
  }

  async bytes(rel: string, max: number): Promise<Uint8Array | undefined> {
    const size = await this.size(rel);
    if (size === undefined) return undefined;
    if (size > max) throw new RangeError(`Cannot read ${rel}: larger than ${max} bytes`);
    return await this.range(rel, 0, size);
  }

  async list(rel: string): Promise<{ name: string; size: number }[]> {
    const dir = join(this.#dir, rel);
    const names = await readdir(dir).catch((e) => {
      if (e.code === "ENOENT" || e.code === "ENOTDIR") return [] as string[];
      throw e;
    });
    const out: { name: string; size: number }[] = [];
    for (const name of names.sort()) {
      if (name.startsWith(".")) continue;
      const st = await stat(join(dir, name)).catch(() => undefined);
      if (st?.isFile()) out.push({ name, size: st.size });
    }
    return out;
  }
}

/** Files under an HTTP(S) base URL. Listing is impossible (only a repository index lists). */
export class HttpCarrier implements Carrier {
  readonly name: string;
  #base: URL;
  #policy: FetchPolicy;

  constructor(base: URL, policy: FetchPolicy = {}) {
    this.#base = baseUrl(base);
    this.name = this.#base.href;
    this.#policy = { retries: 1, baseDelayMs: 200, connectTimeoutMs: 10_000, ...policy };
  }

  #url(rel: string): URL {
    return joinUrl(this.#base, rel);
  }

  async #open(rel: string, offset = 0) {
    return await withRetries(() => openUrl(this.#url(rel), { ...this.#policy, offset }), this.#policy);
  }

  async size(rel: string): Promise<number | undefined> {
    const url = this.#url(rel);
    let res: Response;
    try {
      const signals = [AbortSignal.timeout(this.#policy.connectTimeoutMs ?? 10_000)];
      if (this.#policy.signal) signals.push(this.#policy.signal);
      res = await fetch(url, { method: "HEAD", signal: AbortSignal.any(signals) });
    } catch (e) {
      throw new TransientError(`Cannot fetch ${url}: ${(e as Error).message}`, { cause: e });
    }
    await res.body?.cancel().catch(() => {});
    if (res.status === 404 || res.status === 410) return undefined;
    const len = Number(res.headers.get("content-length") ?? NaN);
    if (res.ok && Number.isSafeInteger(len) && len >= 0) return len;
    if (res.status >= 500) throw new TransientError(`Cannot fetch ${url}: HTTP ${res.status}`);
    // no HEAD or no length: count the bytes of a GET
    const opened = await this.#open(rel);
    let n = 0;
    for await (const c of opened.body) n += c.byteLength;
    await opened.dispose();
    return n;
  }

  async range(rel: string, offset: number, length: number): Promise<Uint8Array> {
    if (length === 0) return new Uint8Array();
    const opened = await this.#open(rel, offset);
    try {
      // 206 from offset, or 200 from byte 0 (the server ignored Range): skip up to offset
      const skip = opened.status === 206 || offset === 0 ? 0 : offset;
      return await collect(opened.body, length, skip);
    } finally {
      await opened.dispose();
    }
  }

  async stream(rel: string): Promise<ReadableStream<Uint8Array>> {
    const opened = await this.#open(rel);
    return opened.body;
  }

  async bytes(rel: string, max: number): Promise<Uint8Array | undefined> {
    let opened;
    try {
      opened = await this.#open(rel);
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
    try {
      const b = await collect(opened.body, max + 1);
      if (b.byteLength > max) throw new RangeError(`Cannot read ${rel}: larger than ${max} bytes`);
      return b;
    } finally {
      await opened.dispose();
    }
  }

  list(): Promise<undefined> {
    return Promise.resolve(undefined);
  }
}
