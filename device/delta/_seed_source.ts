/**
 * Private to device/delta: the chunks a seed gives, read on demand in the order reassembly asks for
 * them, by the seed's chunk list (`seed_index.ts`). A raw seed (a tar) is read in place by offset. A
 * gzip seed is gunzipped once, front to back, as far as the last chunk asked of it: reassembly reads
 * a chunk as the stream reaches it (a release's chunks come in much the order of the one before),
 * and a chunk it will ask for later (passed on the way, or asked for twice) is written to a spill
 * file and read back from there. Nothing is verified here: the caller hashes every chunk; a list
 * that lies, a damaged gzip stream or an unreadable seed gives `undefined` for what it cannot give.
 */
import { createReadStream } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { pipeline } from "node:stream";
import { createGunzip } from "node:zlib";
import type { SeedChunk } from "../../core/delta/mod.ts";
import { READ_CHUNK, writeAll } from "../fs/file_streams.ts";

/** zlib's output buffer: 16 KiB pieces made gunzipping a seed 2-3x slower. */
const GUNZIP_CHUNK = 256 * 1024;

/** The uncompressed bytes of `path` (gunzipped when `gzip`), in pieces. */
export function uncompressed(path: string, gzip: boolean): AsyncIterable<Uint8Array> & { destroy(): void } {
  const raw = createReadStream(path, { highWaterMark: READ_CHUNK });
  if (!gzip) return raw;
  return pipeline(raw, createGunzip({ chunkSize: GUNZIP_CHUNK }), () => {});
}

/** One seed's chunks on demand. */
export class SeedSource {
  readonly path: string;
  #gzip: boolean;
  /** The seed's chunk list, in stream order. */
  #list: SeedChunk[];
  /** How many more times each chunk will be asked of this seed. */
  #uses: Map<string, number>;
  #spillPath: string;
  #raw?: Promise<FileHandle>;
  #spill?: Promise<FileHandle>;
  #spilled = new Map<string, { offset: number; length: number }>();
  #spillEnd = 0;
  #stream?: AsyncIterator<Uint8Array>;
  #destroy?: () => void;
  /** The stream's current piece, how much of it was consumed, and the stream offset reached. */
  #piece: Uint8Array = new Uint8Array(0);
  #used = 0;
  #pos = 0;
  /** Index in `#list` of the next chunk the stream gives. */
  #next = 0;
  #broken = false;

  constructor(
    path: string,
    o: { gzip: boolean; list: SeedChunk[]; uses: Map<string, number>; spill: string },
  ) {
    this.path = path;
    this.#gzip = o.gzip;
    this.#list = o.list;
    this.#uses = o.uses;
    this.#spillPath = o.spill;
  }

  /** The bytes this seed holds at `chunk` (unverified), or `undefined`. */
  async read(chunk: SeedChunk): Promise<Uint8Array | undefined> {
    const left = (this.#uses.get(chunk.sha256) ?? 1) - 1;
    this.#uses.set(chunk.sha256, left);
    try {
      if (!this.#gzip) return await this.#pread(chunk);
      const spilled = this.#spilled.get(chunk.sha256);
      if (spilled) return await this.#readSpill(spilled);
      if (this.#broken || chunk.offset < this.#pos) return undefined;
      while (this.#next < this.#list.length && this.#list[this.#next]!.offset <= chunk.offset) {
        const c = this.#list[this.#next++]!;
        const wanted = c.offset === chunk.offset && c.sha256 === chunk.sha256;
        const keep = wanted || ((this.#uses.get(c.sha256) ?? 0) > 0 && !this.#spilled.has(c.sha256));
        const bytes = keep ? new Uint8Array(c.length) : undefined;
        if (!(await this.#take(c.length, bytes))) break;
        if (bytes && (!wanted || left > 0)) await this.#toSpill(c.sha256, bytes);
        if (wanted) return bytes;
      }
      return undefined;
    } catch {
      this.#broken = true;
      return undefined;
    }
  }

  async #pread(chunk: SeedChunk): Promise<Uint8Array | undefined> {
    this.#raw ??= open(this.path, "r");
    const bytes = new Uint8Array(chunk.length);
    const { bytesRead } = await (await this.#raw).read(bytes, 0, chunk.length, chunk.offset);
    return bytesRead === chunk.length ? bytes : undefined;
  }

  /** Consumes the next `length` bytes of the stream (copied into `out` if given); `false` at its end. */
  async #take(length: number, out: Uint8Array | undefined): Promise<boolean> {
    if (!this.#stream) {
      const source = uncompressed(this.path, true);
      this.#stream = source[Symbol.asyncIterator]();
      this.#destroy = () => source.destroy();
    }
    for (let filled = 0; filled < length;) {
      if (this.#used === this.#piece.length) {
        const r = await this.#stream.next();
        if (r.done) {
          this.#broken = true;
          return false;
        }
        this.#piece = r.value;
        this.#used = 0;
      }
      const n = Math.min(length - filled, this.#piece.length - this.#used);
      out?.set(this.#piece.subarray(this.#used, this.#used + n), filled);
      this.#used += n;
      filled += n;
    }
    this.#pos += length;
    return true;
  }

  async #toSpill(sha256: string, bytes: Uint8Array) {
    this.#spill ??= open(this.#spillPath, "w+");
    await writeAll(await this.#spill, bytes);
    this.#spilled.set(sha256, { offset: this.#spillEnd, length: bytes.length });
    this.#spillEnd += bytes.length;
  }

  async #readSpill(at: { offset: number; length: number }): Promise<Uint8Array | undefined> {
    const bytes = new Uint8Array(at.length);
    const { bytesRead } = await (await this.#spill!).read(bytes, 0, at.length, at.offset);
    return bytesRead === at.length ? bytes : undefined;
  }

  async close(): Promise<void> {
    this.#destroy?.();
    for (const fh of [this.#raw, this.#spill]) await fh?.then((h) => h.close(), () => {});
  }
}
