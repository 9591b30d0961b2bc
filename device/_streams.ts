/**
 * Web streams over node:fs file handles (bounded memory, 1 MiB reads), and concatenation.
 * @module
 */
import { type FileHandle, open } from "node:fs/promises";

const CHUNK = 1 << 20;

/** Reads `path` from `start` (inclusive) to `end` (exclusive, default EOF) as a byte stream. */
export function fileStream(path: string, options: { start?: number; end?: number } = {}): ReadableStream<Uint8Array> {
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
        const want = Math.min(CHUNK, end - pos);
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
        controller.enqueue(bytesRead === want ? buf : buf.subarray(0, bytesRead));
      } catch (error) {
        await close().catch(() => {});
        throw error;
      }
    },
    async cancel() {
      await close();
    },
  }, { highWaterMark: 0 });
}

/** Writes every chunk fully to an open file handle. The handle stays open (caller fsyncs, closes). */
export function handleSink(handle: FileHandle): WritableStream<Uint8Array> {
  return new WritableStream<Uint8Array>({
    async write(chunk) {
      let off = 0;
      while (off < chunk.byteLength) {
        const { bytesWritten } = await handle.write(chunk, off, chunk.byteLength - off);
        off += bytesWritten;
      }
    },
  });
}

/** Plays the streams made by `makers` one after the other; cancelling cancels the one in play. */
export function concatStreams(makers: (() => ReadableStream<Uint8Array>)[]): ReadableStream<Uint8Array> {
  let index = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        if (!reader) {
          const make = makers[index++];
          if (!make) {
            controller.close();
            return;
          }
          reader = make().getReader();
        }
        const { done, value } = await reader.read();
        if (!done) {
          controller.enqueue(value);
          return;
        }
        reader.releaseLock();
        reader = undefined;
      }
    },
    async cancel(reason) {
      await reader?.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
