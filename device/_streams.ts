/**
 * Web streams over node:fs file handles (bounded memory, 1 MiB reads).
 * @module
 */
import { type FileHandle, open } from "node:fs/promises";

const CHUNK = 256 * 1024;

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
