/**
 * A download as one continuous byte stream, for installing while downloading (`drover update`):
 * first the bytes already in `<key>.part` (an earlier, interrupted run), then the network from
 * that offset (Range), each network chunk appended to the `.part` as it passes, so a later run
 * resumes. Transient failures mid-body are retried inside the stream (re-opened with a Range from
 * the current offset; a server that ignores Range has the bytes already delivered skipped), so
 * the consumer sees one uninterrupted stream. The caller verifies (VerifyStream) and removes the
 * `.part` once what it built from the stream is committed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm, writeFile } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { pathToFileURL } from "node:url";
 * import { resumableSource } from "./resumable_source.ts";
 * const dir = await mkdtemp(join(tmpdir(), "src-"));
 * await writeFile(join(dir, "artifact"), "hello");
 * await writeFile(join(dir, "x.part"), "he");
 * const stream = resumableSource(pathToFileURL(join(dir, "artifact")), { part: join(dir, "x.part"), length: 5 });
 * assert.equal((await new Response(stream).text()), "hello");
 * await rm(dir, { recursive: true });
 * ```
 * @module
 */
import { type FileHandle, open, stat, truncate } from "node:fs/promises";
import { IntegrityError, TransientError } from "../../core/errors.ts";
import { backoff, checkDeclaredLength, type FetchPolicy, type Opened, openUrl } from "./http.ts";
import { CoalescingWriter, fileStream } from "../fs/file_streams.ts";
import { noteStreamed } from "../fs/gc_hint.ts";

/** Options of {@linkcode resumableSource}. */
export interface ResumableSourceOptions extends FetchPolicy {
  /** The `.part` file: played first, then appended to. */
  part: string;
  /** Exact length, when known (signed). */
  length?: number;
  /** Cap when the length is unknown (default 4 GiB). */
  maxLength?: number;
  name?: string;
  /** Bytes delivered so far (the `.part` prefix included). */
  onProgress?: (bytes: number, total: number | undefined) => void;
}

function startOf(header: string | null): number | undefined {
  const m = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(header?.trim() ?? "");
  return m ? Number(m[1]) : undefined;
}

/** See the module doc. Errors: `IntegrityError` past the length, `TransientError` after the retries. */
export function resumableSource(url: URL, options: ResumableSourceOptions): ReadableStream<Uint8Array> {
  const total = options.length;
  const cap = total ?? options.maxLength ?? 4 * 2 ** 30;
  const name = options.name ?? String(url);
  let handle: FileHandle | undefined;
  let sink: CoalescingWriter | undefined;
  let prefix: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let opened: Opened | undefined;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let delivered = 0;
  let skip = 0;
  let failures = 0;

  const release = async () => {
    const o = opened;
    opened = undefined;
    reader = undefined;
    await o?.dispose();
  };
  const cleanup = async () => {
    await prefix?.cancel().catch(() => {});
    prefix = undefined;
    await release();
    const h = handle;
    const w = sink;
    handle = undefined;
    sink = undefined;
    try {
      await w?.flush(); // every byte delivered is in the .part, for the next run to resume from
    } finally {
      await h?.close();
    }
  };
  /** Opens the network from `from`; a server announcing another size than the signed one is final. */
  const request = async (from: number) => {
    const o = await openUrl(url, { ...options, offset: from });
    try {
      checkDeclaredLength(o, { length: total, offset: from, name });
    } catch (error) {
      await o.dispose();
      throw error;
    }
    return o;
  };
  /** Opens the network from `delivered`; a server that ignores Range gets its first bytes skipped. */
  const connect = async () => {
    opened = await request(delivered);
    skip = 0;
    if (delivered > 0 && opened.status === 416) {
      await release();
      if (total === undefined) return false; // nothing left to send: the part was complete
      opened = await request(0);
    }
    if (delivered > 0 && (opened.status !== 206 || startOf(opened.contentRange) !== delivered)) {
      if (opened.status !== 200) {
        await release();
        opened = await request(0);
      }
      skip = delivered;
    }
    reader = opened.body.getReader();
    return true;
  };

  return new ReadableStream<Uint8Array>({
    async start() {
      let size = (await stat(options.part).catch(() => undefined))?.size ?? 0;
      if (size > cap) {
        await truncate(options.part, 0);
        size = 0;
      }
      handle = await open(options.part, "a");
      sink = new CoalescingWriter(handle, { idleFlushMs: 200 });
      if (size > 0) prefix = fileStream(options.part, { end: size }).getReader();
    },
    async pull(controller) {
      try {
        if (prefix) {
          const r = await prefix.read();
          if (!r.done) {
            delivered += r.value.byteLength;
            options.onProgress?.(delivered, total);
            controller.enqueue(r.value);
            return;
          }
          prefix = undefined;
        }
        for (;;) {
          if (total !== undefined && delivered >= total) break;
          let r: ReadableStreamReadResult<Uint8Array>;
          try {
            if (!reader && !(await connect())) break;
            r = await reader!.read();
            if (r.done && total !== undefined && delivered + skip < total) {
              throw new TransientError(`Cannot fetch ${name}: body ended at ${delivered} of ${total} bytes`);
            }
          } catch (error) {
            await release();
            if (
              !(error instanceof TransientError) || failures >= (options.retries ?? 4) ||
              options.signal?.aborted
            ) {
              throw error;
            }
            await backoff(failures++, error, options);
            continue;
          }
          if (r.done) break;
          let chunk = r.value;
          if (skip > 0) {
            const drop = Math.min(skip, chunk.byteLength);
            skip -= drop;
            chunk = chunk.subarray(drop);
            if (chunk.byteLength === 0) continue;
          }
          if (delivered + chunk.byteLength > cap) {
            throw new IntegrityError(`Cannot verify ${name}: more than ${cap} bytes`);
          }
          await sink!.push(chunk);
          noteStreamed(chunk.byteLength);
          delivered += chunk.byteLength;
          failures = 0; // progress: the retry budget is per stall
          options.onProgress?.(delivered, total);
          controller.enqueue(chunk);
          return;
        }
        await cleanup();
        controller.close();
      } catch (error) {
        await cleanup().catch(() => {});
        throw error;
      }
    },
    async cancel() {
      await cleanup();
    },
  }, { highWaterMark: 0 });
}
