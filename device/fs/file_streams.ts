/**
 * Web streams over node:fs file handles: 256 KiB reads with one read ahead (the disk works while the
 * consumer hashes or extracts), and a sink that coalesces small chunks into 1 MiB writes.
 * @module
 */
import { type FileHandle, open } from "node:fs/promises";
import { noteStreamed } from "./gc_hint.ts";

/**
 * Size of reads. Each read is a fresh buffer passed on, which must die before two young-generation
 * collections pass (see gc_hint.ts): 1 MiB reads were promoted and piled up (132 MiB peak on Node
 * instead of 70); 256 KiB reads measured as fast on the install benchmark.
 */
export const READ_CHUNK = 256 * 1024;

/**
 * Size of coalesced writes. Their two buffers are reused (no garbage); on Deno each write costs
 * enough that 256 KiB writes made a 512 MiB download ~30% slower than 1 MiB ones.
 */
export const WRITE_CHUNK = 1024 * 1024;

/** Reads `path` from `start` (inclusive) to `end` (exclusive, default EOF) as a byte stream. */
export function fileStream(
  path: string,
  options: { start?: number; end?: number } = {},
): ReadableStream<Uint8Array> {
  let handle: FileHandle | undefined;
  let pos = options.start ?? 0;
  const end = options.end ?? Infinity;
  const close = async () => {
    const h = handle;
    handle = undefined;
    await h?.close();
  };
  return new ReadableStream<Uint8Array>({
    async start() {
      handle = await open(path, "r");
    },
    async pull(controller) {
      try {
        const want = Math.min(READ_CHUNK, end - pos);
        if (want <= 0 || !handle) {
          await close();
          controller.close();
          return;
        }
        const buf = new Uint8Array(want);
        const { bytesRead } = await handle.read(buf, 0, want, pos);
        if (bytesRead === 0) {
          await close();
          controller.close();
          return;
        }
        pos += bytesRead;
        noteStreamed(bytesRead);
        controller.enqueue(bytesRead === want ? buf : buf.subarray(0, bytesRead));
      } catch (error) {
        await close().catch(() => {});
        throw error;
      }
    },
    async cancel() {
      await close();
    },
  }, { highWaterMark: 1 });
}

/**
 * Writes all of `bytes` at the handle's position. A write that makes no progress (a view whose
 * buffer was released while the write was in flight reads as empty) throws instead of looping.
 */
export async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  const length = bytes.byteLength;
  for (let at = 0; at < length;) {
    const n = bytes.byteLength === length ? (await handle.write(bytes, at, length - at)).bytesWritten : 0;
    if (!(n > 0)) throw new Error(`Cannot write ${length} bytes: no progress after ${at}`);
    at += n;
  }
}

/**
 * Collects small chunks into `WRITE_CHUNK`-sized writes to one file handle. `push` resolves once the
 * chunk is buffered or written; `flush` writes what is buffered. With `idleFlushMs`, bytes never
 * wait longer than that in the buffer (a stalled download still has what arrived on disk, for a
 * resume after a kill): one timer at a time, not one per chunk. The handle stays open.
 */
export class CoalescingWriter {
  #handle: FileHandle;
  #buffer: Uint8Array | undefined;
  /** The other buffer, once its write is done (two buffers in all: no garbage per write). */
  #spare: Uint8Array | undefined;
  #filled = 0;
  #idleMs: number | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Writes are serialised: the timer's flush and the caller's. */
  #writing: Promise<void> = Promise.resolve();
  #failure: unknown;

  constructor(handle: FileHandle, options: { idleFlushMs?: number } = {}) {
    this.#handle = handle;
    this.#idleMs = options.idleFlushMs;
  }

  /** Bytes buffered, not yet written. */
  get buffered(): number {
    return this.#filled;
  }

  async push(chunk: Uint8Array): Promise<void> {
    if (this.#failure) throw this.#failure;
    if (this.#filled + chunk.byteLength > WRITE_CHUNK) await this.flush();
    if (chunk.byteLength >= WRITE_CHUNK) return await this.#write(chunk);
    if (!this.#buffer) {
      this.#buffer = this.#spare ?? new Uint8Array(WRITE_CHUNK);
      this.#spare = undefined;
    }
    this.#buffer.set(chunk, this.#filled);
    this.#filled += chunk.byteLength;
    if (this.#idleMs !== undefined && this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.flush().catch((error) => (this.#failure ??= error));
      }, this.#idleMs);
    }
  }

  /** Writes what is buffered (and waits for any write in progress). */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#filled > 0) {
      const buffer = this.#buffer!;
      const bytes = buffer.subarray(0, this.#filled);
      this.#buffer = undefined; // the write owns it until it is done
      this.#filled = 0;
      await this.#write(bytes);
      this.#spare = buffer;
    } else await this.#writing;
    if (this.#failure) throw this.#failure;
  }

  #write(bytes: Uint8Array): Promise<void> {
    const next = this.#writing.then(() => writeAll(this.#handle, bytes));
    this.#writing = next.catch((error) => {
      this.#failure ??= error;
    });
    return next;
  }
}

/** Writes every chunk to an open file handle, in `WRITE_CHUNK` writes. The handle stays open (caller fsyncs, closes). */
export function handleSink(handle: FileHandle): WritableStream<Uint8Array> {
  const writer = new CoalescingWriter(handle);
  return new WritableStream<Uint8Array>({
    write: (chunk) => writer.push(chunk),
    close: () => writer.flush(),
  });
}
