/**
 * The one download path of the device: an artifact as one continuous byte stream, first the bytes
 * already in `<key>.part` (an earlier, interrupted run), then the network from that offset (Range),
 * each network chunk appended to the `.part` as it passes, so a later run resumes. Transient failures
 * mid-body are retried inside the stream (re-opened with a Range from the current offset, backoff with
 * Retry-After; a server that ignores Range has the bytes already delivered skipped), so the consumer
 * sees one uninterrupted stream. What a server declares is checked against the signed length at each
 * response, the bytes are capped by a `LimitStream`, and the body is held to the minimum rate and the
 * deadline of the policy (`SlowRetrievalError`, never retried).
 *
 * The consumer verifies (VerifyStream): `check` drains it into a verified blob
 * (`downloadVerified`), `update` extracts while it downloads. {@linkcode Download.run} holds the one
 * rule on bad bytes: an `IntegrityError` removes the `.part`, and when the stream had started from an
 * earlier run's bytes, the consumer runs once more from byte 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm, writeFile } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { pathToFileURL } from "node:url";
 * import { Download } from "./download.ts";
 * const dir = await mkdtemp(join(tmpdir(), "download-"));
 * await writeFile(join(dir, "artifact"), "hello");
 * await writeFile(join(dir, "x.part"), "he");
 * const download = new Download(pathToFileURL(join(dir, "artifact")), { part: join(dir, "x.part"), length: 5 });
 * assert.equal(await download.run((open) => new Response(open()).text()), "hello");
 * await rm(dir, { recursive: true });
 * ```
 * @module
 */
import { type FileHandle, open, stat, truncate, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { IntegrityError, TransientError } from "../../core/errors.ts";
import { LimitStream } from "../../core/verify/mod.ts";
import { checkDeclaredLength, DeclaredLengthError } from "./declared_length.ts";
import { FETCH_DEFAULTS, type FetchPolicy } from "./fetch_policy.ts";
import { backoff, isRetryable, type Opened, openUrl } from "./http.ts";
import { RateGuard } from "./rate_guard.ts";
import { CoalescingWriter, fileStream } from "../fs/file_streams.ts";
import { noteStreamed } from "../fs/gc_hint.ts";
import { storageErrorOf } from "../fs/storage_error.ts";

/** Options of {@linkcode Download}. */
export interface DownloadOptions extends FetchPolicy {
  /** The `.part` file: played first, then appended to. */
  part: string;
  /** Exact length, when known (signed). */
  length?: number;
  /** Cap when the length is unknown (default 4 GiB). */
  maxLength?: number;
  /** What is downloaded, for messages (default the URL). */
  name?: string;
  /** Bytes delivered so far (the `.part` prefix included). */
  onProgress?: (bytes: number, total: number | undefined) => void;
}

/** Cap on an artifact of unknown length. */
const DEFAULT_MAX_LENGTH = 4 * 2 ** 30;

function startOf(header: string | null): number | undefined {
  const m = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(header?.trim() ?? "");
  return m ? Number(m[1]) : undefined;
}

/** One artifact to download into a `.part`; see the module doc. */
export class Download {
  #url: URL;
  #o: DownloadOptions;
  #name: string;
  #cap: number;
  /** Bytes the `.part` held when the last stream opened. */
  #resumedFrom = 0;

  constructor(url: URL, options: DownloadOptions) {
    if (typeof options?.part !== "string" || options.part === "") {
      throw new TypeError("Cannot download: part must be a file path");
    }
    this.#url = url;
    this.#o = options;
    this.#name = options.name ?? String(url);
    this.#cap = options.length ?? options.maxLength ?? DEFAULT_MAX_LENGTH;
  }

  /** Bytes of an earlier run the last opened stream started with (0: from the network only). */
  get resumedFrom(): number {
    return this.#resumedFrom;
  }

  /**
   * Runs `consume` with an opener of the stream. On an `IntegrityError` (bad bytes, not a server
   * announcing another size than the signed one) the `.part` is removed, and if the stream had started
   * from an earlier run's bytes, `consume` runs once more from byte 0. Other errors pass through (a
   * `TransientError` keeps the `.part` for the next run).
   */
  async run<T>(consume: (open: () => ReadableStream<Uint8Array>) => Promise<T>): Promise<T> {
    for (let attempt = 0;; attempt++) {
      let stream: ReadableStream<Uint8Array> | undefined;
      this.#resumedFrom = 0;
      try {
        return await consume(() => (stream = this.open()));
      } catch (error) {
        if (stream && !stream.locked) await stream.cancel().catch(() => {});
        if (!(error instanceof IntegrityError) || error instanceof DeclaredLengthError) throw error;
        await unlink(this.#o.part).catch(() => {});
        if (attempt > 0 || this.#resumedFrom === 0) throw error;
        // the bytes of an earlier run were bad: once more, from byte 0
      }
    }
  }

  /**
   * The artifact as one stream (`.part` bytes, then the network). Errors: `IntegrityError` past the
   * length or cap or when the server declares another length, `SlowRetrievalError` below the minimum
   * rate or past the deadline, `TransientError` after the retries, `NotFoundError` on 404/410.
   */
  open(): ReadableStream<Uint8Array> {
    const { part, onProgress } = this.#o;
    const total = this.#o.length;
    let handle: FileHandle | undefined;
    let sink: CoalescingWriter | undefined;
    let prefix: ReadableStreamDefaultReader<Uint8Array> | undefined;
    let network: ReadableStreamDefaultReader<Uint8Array> | undefined;
    let size = 0;
    let delivered = 0;
    const cleanup = async () => {
      await prefix?.cancel().catch(() => {});
      await network?.cancel().catch(() => {});
      prefix = network = undefined;
      const [h, w] = [handle, sink];
      handle = sink = undefined;
      try {
        await w?.flush(); // every byte delivered is in the .part, for the next run to resume from
      } finally {
        await h?.close();
      }
    };
    return new ReadableStream<Uint8Array>({
      start: async () => {
        size = (await stat(part).catch(() => undefined))?.size ?? 0;
        if (size > this.#cap) {
          await truncate(part, 0);
          size = 0;
        }
        this.#resumedFrom = size;
        if (size > 0) prefix = fileStream(part, { end: size }).getReader();
      },
      pull: async (controller) => {
        try {
          if (prefix) {
            const r = await prefix.read();
            if (!r.done) {
              delivered += r.value.byteLength;
              onProgress?.(delivered, total);
              controller.enqueue(r.value);
              return;
            }
            prefix = undefined;
          }
          network ??= this.#network(size)
            .pipeThrough(new LimitStream(this.#cap - size, { name: `${this.#name} from byte ${size}` }))
            .getReader();
          const r = await network.read();
          if (r.done) {
            await cleanup();
            controller.close();
            return;
          }
          if (!sink) {
            handle = await open(part, "a"); // on the first network byte: no empty .part for a refusal
            sink = new CoalescingWriter(handle, { idleFlushMs: 200 });
          }
          await sink.push(r.value);
          noteStreamed(r.value.byteLength);
          delivered += r.value.byteLength;
          onProgress?.(delivered, total);
          controller.enqueue(r.value);
        } catch (error) {
          await cleanup().catch(() => {});
          // a full (or read-only) workspace: say so, and where, not the errno text of a write
          const action = `store the download of ${this.#name}`;
          throw storageErrorOf(error, { action, path: dirname(part) }) ?? error;
        }
      },
      cancel: () => cleanup(),
    }, { highWaterMark: 0 });
  }

  /**
   * The network bytes from `from` to the end, across connections: the retry core (Range resume,
   * backoff, the declared-length rule, one rate guard for every connection).
   */
  #network(from: number): ReadableStream<Uint8Array> {
    const o = this.#o;
    const total = o.length;
    const name = this.#name;
    const rate = RateGuard.forPolicy(o, name);
    let at = from;
    let opened: Opened | undefined;
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    let skip = 0;
    let failures = 0;
    const release = async () => {
      const c = opened;
      opened = undefined;
      reader = undefined;
      await c?.dispose();
    };
    /** Opens from `offset`; a server announcing another size than the signed one is final. */
    const request = async (offset: number) => {
      const c = await openUrl(this.#url, { ...o, offset, rate });
      try {
        checkDeclaredLength(c, { length: total, offset, name });
      } catch (error) {
        await c.dispose();
        throw error;
      }
      return c;
    };
    /** Opens from `at`; a server that ignores Range gets its first bytes skipped. */
    const connect = async () => {
      opened = await request(at);
      skip = 0;
      if (at > 0 && opened.status === 416) {
        await release();
        if (total === undefined) return false; // nothing left to send: the .part was complete
        opened = await request(0);
      }
      if (at > 0 && (opened.status !== 206 || startOf(opened.contentRange) !== at)) {
        if (opened.status !== 200) {
          await release();
          opened = await request(0);
        }
        skip = at;
      }
      reader = opened.body.getReader();
      return true;
    };
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          for (;;) {
            if (total !== undefined && at >= total) break;
            let r: ReadableStreamReadResult<Uint8Array>;
            try {
              if (!reader && !(await connect())) break;
              r = await reader!.read();
              if (r.done && total !== undefined && at + skip < total) {
                throw new TransientError(`Cannot fetch ${name}: body ended at ${at} of ${total} bytes`);
              }
            } catch (error) {
              await release();
              if (!isRetryable(error, o) || failures >= (o.retries ?? FETCH_DEFAULTS.retries)) throw error;
              await backoff(failures++, error, o);
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
            at += chunk.byteLength;
            failures = 0; // progress: the retry budget is per stall
            controller.enqueue(chunk);
            return;
          }
          await release();
          controller.close();
        } catch (error) {
          await release().catch(() => {});
          throw error;
        }
      },
      cancel: () => release(),
    }, { highWaterMark: 0 });
  }
}
