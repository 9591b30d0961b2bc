/**
 * Safe streaming tar(.gz) reading over `modern-tar`: bytes in, checked {@linkcode ArchiveEntry}
 * objects out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UntarStream } from "./untar_stream.ts";
 * import { packTar } from "modern-tar";
 * const tar = await packTar([{ header: { name: "./hello.txt", size: 2, type: "file" }, body: "hi" }]);
 * for await (const entry of new Blob([tar]).stream().pipeThrough(new UntarStream())) {
 *   assert.equal(entry.path, "hello.txt");
 *   assert.equal(await new Response(entry.body).text(), "hi");
 * }
 * ```
 * @module
 */
import { createTarDecoder, type ParsedTarEntry } from "modern-tar";
import { getAbilities } from "../abilities.ts";
import { IntegrityError } from "../errors.ts";
import type { ArchiveEntry, UntarOptions } from "./archive_entry.ts";
import { checkEntry, type EntryCounters } from "./_check_entry.ts";
import { quote } from "./_paths.ts";
import { BufferRelease } from "./_buffer_release.ts";
import { CAN_RELEASE } from "../verify/release_buffer.ts";

const GIB = 1024 ** 3;
/**
 * Entries queued ahead of the reader. Must be at least 1: taking the last queued entry has to
 * re-open the input side, or a reader busy with that entry's body would wait for input forever.
 */
const READ_AHEAD = 16;

function positiveLimit(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value >= 0) || !Number.isSafeInteger(value)) {
    throw new RangeError(`Cannot create UntarStream: ${name} must be a non-negative safe integer`);
  }
  return value;
}

/**
 * Turns tar or tar.gz bytes into checked entries. Refuses, with an {@linkcode IntegrityError}
 * naming the entry: absolute paths, `..` segments, NUL in names, links pointing outside the root,
 * device/fifo entries, GNU sparse files, entries over the caps, bad header checksums, truncation
 * and corrupt gzip. setuid/setgid/sticky bits are dropped; ownership is not reported.
 *
 * Backpressure: the next entry is not read until the previous entry's body has been consumed or
 * cancelled, so memory stays bounded whatever the archive size.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UntarStream } from "./untar_stream.ts";
 * import { packTar } from "modern-tar";
 * const tar = await packTar([{ header: { name: "/etc/passwd", size: 1, type: "file" }, body: "x" }]);
 * const entries = new Blob([tar]).stream().pipeThrough(new UntarStream({ gzip: false }));
 * await entries.getReader().read().then(
 *   () => assert.ok(false, "absolute path accepted"),
 *   (e) => assert.ok(e.code === "E_INTEGRITY"),
 * );
 * ```
 */
export class UntarStream extends TransformStream<Uint8Array, ArchiveEntry> {
  constructor(options: UntarOptions = {}) {
    const gzip = options.gzip ?? "auto";
    if (gzip !== true && gzip !== false && gzip !== "auto") {
      throw new TypeError(`Cannot create UntarStream: gzip must be true, false or "auto"`);
    }
    const limits = {
      maxEntrySize: positiveLimit(options.maxEntrySize, 4 * GIB, "maxEntrySize"),
      maxEntries: positiveLimit(options.maxEntries, 100_000, "maxEntries"),
      maxTotalSize: positiveLimit(options.maxTotalSize, 16 * GIB, "maxTotalSize"),
    };
    const decoder = createTarDecoder({ strict: true });
    const counters: EntryCounters = { entries: 0, totalSize: 0, lastPath: undefined };
    let writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
    let head: Uint8Array | undefined; // first bytes kept until the gzip magic can be sniffed
    let gunzipFailed = false;
    /** Compressed bytes handed to gunzip so far (the one being written included). */
    let compressedIn = 0;
    let compressed = false;
    let pump: Promise<void> | undefined;
    let failure: unknown;
    let cancelled = false;
    let settleBody: (() => void) | undefined;
    const reader = decoder.readable.getReader();
    const buffers = options.releaseBuffers && CAN_RELEASE ? new BufferRelease() : undefined;

    const explain = (error: unknown): unknown => {
      if (error instanceof IntegrityError || cancelled) return error;
      // gunzip runs ahead of the tar reader: the entry read last says nothing about where it failed
      const at = gunzipFailed
        ? `by byte ${compressedIn} of the compressed archive`
        : counters.lastPath === undefined
        ? "at the first entry"
        : `after entry ${quote(counters.lastPath)}`;
      const detail = error instanceof Error ? error.message : String(error);
      const what = gunzipFailed ? "gunzip archive" : "read archive";
      return new IntegrityError(`Cannot ${what}: ${detail} (${at})`, { cause: error });
    };

    const open = (compressed: boolean) => {
      const decoderWriter = decoder.writable.getWriter();
      if (!compressed) {
        writer = decoderWriter;
        return;
      }
      const gunzip = getAbilities().createGunzip();
      writer = gunzip.writable.getWriter();
      const gunzipped = gunzip.readable.getReader();
      (async () => {
        while (true) {
          let step: ReadableStreamReadResult<Uint8Array>;
          try {
            step = await gunzipped.read();
          } catch (error) {
            gunzipFailed = true;
            return decoderWriter.abort(error).catch(() => {});
          }
          if (step.done) return decoderWriter.close().catch(() => {});
          buffers?.fed(step.value);
          try {
            await decoderWriter.write(step.value);
          } catch (error) {
            return gunzipped.cancel(error).catch(() => {});
          }
        }
      })();
    };

    const feed = async (chunk: Uint8Array) => {
      if (!writer) {
        const joined = head ? concat(head, chunk) : chunk;
        if (joined.length < 2 && gzip === "auto") {
          head = joined;
          return;
        }
        head = undefined;
        compressed = gzip === "auto" ? joined[0] === 0x1f && joined[1] === 0x8b : gzip;
        open(compressed);
        chunk = joined;
      }
      if (!compressed) {
        buffers?.fed(chunk);
        return await writer!.write(chunk);
      }
      // Writes no bigger than the gunzip keeps bounded (a gzip bomb's expansion: abilities.ts).
      const slice = getAbilities().gunzipWriteBytes;
      for (let at = 0; at < chunk.length; at += slice) {
        const part = chunk.subarray(at, at + slice);
        compressedIn += part.length;
        await writer!.write(part);
      }
      buffers?.inputUsed(chunk);
    };

    const stop = (reason: unknown): Promise<void> => {
      cancelled = true;
      settleBody?.();
      writer?.abort(reason).catch(() => {});
      return reader.cancel(reason).catch(() => {});
    };
    // `cancel` (called when the writable side is aborted) is not in every lib.dom Transformer type yet.
    const transformer: Transformer<Uint8Array, ArchiveEntry> & { cancel(reason: unknown): Promise<void> } = {
      start(controller) {
        pump = (async () => {
          try {
            while (true) {
              const { done, value } = await reader.read();
              if (done) break;
              const entry = checkEntry(value.header, { limits, counters });
              if (!entry) {
                await value.body.cancel();
                continue;
              }
              if (entry.type !== "file") {
                await value.body.cancel();
                controller.enqueue(entry);
                continue;
              }
              const { body, finished, settle } = guardedBody(value, { explain, buffers });
              entry.body = body;
              settleBody = settle;
              controller.enqueue(entry);
              await finished;
              settleBody = undefined;
            }
          } catch (error) {
            failure = explain(error);
            writer?.abort(failure).catch(() => {});
            reader.cancel(failure).catch(() => {});
            try {
              controller.error(failure);
            } catch { /* already errored */ }
          }
        })();
      },
      async transform(chunk) {
        if (failure) throw failure;
        try {
          await feed(chunk);
        } catch (error) {
          await pump;
          throw failure ?? explain(error);
        }
      },
      async flush() {
        if (!writer) open(gzip === true); // empty or 1-byte input: let the decoder judge it
        if (head) await writer!.write(head);
        try {
          await writer!.close();
        } catch (error) {
          await pump;
          throw failure ?? explain(error);
        }
        await pump;
        if (failure) throw failure;
      },
      cancel: (reason: unknown) => stop(reason),
    };
    super(transformer, undefined, { highWaterMark: READ_AHEAD });

    // A TransformStream does not call its transformer's cancel() once flush() has started, and our
    // flush() waits for the reader to consume the last bodies: a reader that cancels the entries
    // (without cancelling the current body) would wait forever. So the readable side is a thin
    // pull-through wrapper whose cancel() always reaches the parser.
    const entries = this.readable.getReader();
    const readable = new ReadableStream<ArchiveEntry>({
      async pull(controller) {
        const { done, value } = await entries.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel(reason) {
        await stop(reason);
        await entries.cancel(reason).catch(() => {});
      },
    }, { highWaterMark: 0 });
    Object.defineProperty(this, "readable", { value: readable, enumerable: true });
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Wraps an entry body: pull-based (no read-ahead), maps errors, and tells when it is finished. With
 * `buffers`, a read tells that the chunk read before it is done with.
 */
function guardedBody(
  entry: ParsedTarEntry,
  options: { explain: (error: unknown) => unknown; buffers?: BufferRelease },
): { body: ReadableStream<Uint8Array>; finished: Promise<void>; settle: () => void } {
  const { explain, buffers } = options;
  const inner = entry.body.getReader();
  let settle!: () => void;
  const finished = new Promise<void>((resolve) => (settle = resolve));
  let last: Uint8Array | undefined;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (last) buffers?.bodyRead(last);
        last = undefined;
        const { done, value } = await inner.read();
        if (buffers && !done) last = value;
        if (done) {
          controller.close();
          settle();
        } else controller.enqueue(value);
      } catch (error) {
        controller.error(explain(error));
        settle();
      }
    },
    async cancel(reason) {
      await inner.cancel(reason).catch(() => {});
      settle();
    },
  }, { highWaterMark: 0 });
  return { body, finished, settle };
}
