/**
 * Private to device/delta: the chunks a delta download fetched (or found by chunking a seed), each
 * verified before it is stored, appended to one file `<dir>/chunks` (records of sha256, u32 length,
 * bytes): the resumable state of a delta download, so a killed run keeps what it had. One file, not
 * a file a chunk: small files cost more than the bytes. Opening it again keeps every whole record
 * and cuts a torn one at the end; a record is re-hashed when read back (a power cut may damage it).
 * Readers can wait for a chunk being fetched (`wait`), so reassembly runs while ranges arrive; the
 * chunks stored by this run are also held in memory until read (up to 16 MiB), handed over as they
 * were verified.
 */
import { createHash } from "node:crypto";
import { type FileHandle, mkdir, open, rm } from "node:fs/promises";
import { join } from "node:path";
import { fromHex, toHex } from "../../core/verify/mod.ts";
import { writeAll } from "../fs/file_streams.ts";

const HEAD = 36;
/** Beyond any chunker's max (16 MiB): a longer record is a torn or damaged header. */
const MAX_RECORD = 16 * 2 ** 20;
/** Bytes of chunks stored by this run held in memory until read. */
const HELD = 16 * 2 ** 20;

/** An append-only log of verified chunks in a delta's work directory. */
export class ChunkLog {
  readonly dir: string;
  #fh: FileHandle;
  #at = new Map<string, { offset: number; length: number }>();
  #end: number;
  #writing: Promise<void> = Promise.resolve();
  #waiters = new Map<string, ((held: boolean) => void)[]>();
  #settled = false;
  /** Verified chunks stored by this run, not read yet (at most {@linkcode HELD} bytes). */
  #fresh = new Map<string, Uint8Array>();
  #freshBytes = 0;

  private constructor(dir: string, fh: FileHandle, end: number) {
    this.dir = dir;
    this.#fh = fh;
    this.#end = end;
  }

  /** Opens (or creates) the log in `dir`, keeping the whole records an earlier run left. */
  static async open(dir: string): Promise<ChunkLog> {
    await mkdir(dir, { recursive: true });
    const fh = await open(join(dir, "chunks"), "a+");
    try {
      const size = (await fh.stat()).size;
      const log = new ChunkLog(dir, fh, 0);
      const head = new Uint8Array(HEAD);
      let at = 0;
      while (at + HEAD <= size) {
        const { bytesRead } = await fh.read(head, 0, HEAD, at);
        const length = new DataView(head.buffer).getUint32(32);
        if (bytesRead < HEAD || length === 0 || length > MAX_RECORD || at + HEAD + length > size) break;
        const sha256 = toHex(head.subarray(0, 32));
        if (!log.#at.has(sha256)) log.#at.set(sha256, { offset: at + HEAD, length });
        at += HEAD + length;
      }
      if (at < size) await fh.truncate(at);
      log.#end = at;
      return log;
    } catch (error) {
      await fh.close();
      throw error;
    }
  }

  /** The sha256 names held. */
  list(): Set<string> {
    return new Set(this.#at.keys());
  }

  /** Appends verified `bytes` as `sha256` (once); wakes whoever waits for it. */
  put(sha256: string, bytes: Uint8Array): Promise<void> {
    return this.putAll([{ sha256, bytes }]);
  }

  /** Appends verified chunks (each once) in one write; wakes whoever waits for them. */
  putAll(chunks: { sha256: string; bytes: Uint8Array }[]): Promise<void> {
    const write = this.#writing.then(async () => {
      const fresh = chunks.filter((c, i) =>
        !this.#at.has(c.sha256) && chunks.findIndex((d) => d.sha256 === c.sha256) === i
      );
      const record = new Uint8Array(fresh.reduce((n, c) => n + HEAD + c.bytes.length, 0));
      const view = new DataView(record.buffer);
      let at = 0;
      for (const c of fresh) {
        record.set(fromHex(c.sha256), at);
        view.setUint32(at + 32, c.bytes.length);
        record.set(c.bytes, at + HEAD);
        at += HEAD + c.bytes.length;
      }
      if (record.length) await writeAll(this.#fh, record);
      for (const c of fresh) {
        this.#at.set(c.sha256, { offset: this.#end + HEAD, length: c.bytes.length });
        this.#end += HEAD + c.bytes.length;
        if (this.#freshBytes + c.bytes.length <= HELD) {
          this.#fresh.set(c.sha256, c.bytes);
          this.#freshBytes += c.bytes.length;
        }
      }
    });
    this.#writing = write.catch(() => {});
    return write.then(() => {
      for (const c of chunks) this.#wake(c.sha256, true);
    });
  }

  /**
   * The bytes of `sha256`: as verified when this run stored them, else read back when they still
   * hash to it; `undefined` when not held (or damaged: forgotten).
   */
  async get(sha256: string): Promise<Uint8Array | undefined> {
    const fresh = this.#fresh.get(sha256);
    if (fresh) {
      this.#fresh.delete(sha256);
      this.#freshBytes -= fresh.length;
      return fresh;
    }
    const at = this.#at.get(sha256);
    if (!at) return undefined;
    const bytes = new Uint8Array(at.length);
    const { bytesRead } = await this.#fh.read(bytes, 0, at.length, at.offset);
    if (bytesRead === at.length && createHash("sha256").update(bytes).digest("hex") === sha256) return bytes;
    this.#at.delete(sha256);
    return undefined;
  }

  /** Resolves once `sha256` is held (`true`), or `false` once nothing more will be stored ({@linkcode settle}). */
  wait(sha256: string): Promise<boolean> {
    if (this.#at.has(sha256)) return Promise.resolve(true);
    if (this.#settled) return Promise.resolve(false);
    return new Promise((resolve) => {
      const list = this.#waiters.get(sha256) ?? [];
      list.push(resolve);
      this.#waiters.set(sha256, list);
    });
  }

  /** Nothing more will be stored until {@linkcode reopen}: every waiter is answered. */
  settle(): void {
    this.#settled = true;
    for (const sha256 of [...this.#waiters.keys()]) this.#wake(sha256, this.#at.has(sha256));
  }

  /** Chunks may be stored again (a next round). */
  reopen(): void {
    this.#settled = false;
  }

  #wake(sha256: string, held: boolean) {
    const list = this.#waiters.get(sha256);
    this.#waiters.delete(sha256);
    for (const resolve of list ?? []) resolve(held);
  }

  async close(): Promise<void> {
    this.settle();
    await this.#writing;
    await this.#fh.close();
  }

  /** Closes the log and removes its directory (and whatever else is in it). */
  async remove(): Promise<void> {
    await this.close().catch(() => {});
    await rm(this.dir, { recursive: true, force: true });
  }
}
