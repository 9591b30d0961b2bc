/**
 * Fetching for the device: HTTP(S) through the global `fetch` (node:http on Node, where undici's
 * `fetch` is heavier: `device/net/_node_http.ts`) and `file://` through node:fs, with
 * connect and idle timeouts, retries with exponential backoff and jitter on transient failures
 * (network errors, timeouts, 5xx, 429 with Retry-After), 4xx final (`NotFoundError` for 404).
 *
 * {@linkcode downloadVerified} streams an artifact into `<downloads>/<key>.part` through core's
 * `VerifyStream` (length capped, digests checked), resumes a `.part` with a Range request (the
 * bytes already there are re-hashed first; a server that ignores Range restarts from 0), and
 * renames it to `<key>.blob` only once verified. {@linkcode fetchBytes} reads small documents
 * (TUF metadata, the legacy releases document) with a length cap.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fetchBytes } from "./fetch.ts";
 * import { pathToFileURL } from "node:url";
 * import { tmpdir } from "node:os";
 * const missing = await fetchBytes(new URL("nope.json", pathToFileURL(tmpdir() + "/")), { maxLength: 1024 });
 * assert.equal(missing, undefined);
 * ```
 * @module
 */
import { open, rename, stat, truncate, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { IntegrityError, NotFoundError } from "../../core/errors.ts";
import { VerifyStream } from "../../core/verify/mod.ts";
import { fsyncDir } from "../fs/atomic_file.ts";
import {
  checkDeclaredLength,
  DeclaredLengthError,
  type FetchPolicy,
  openUrl,
  RetryableError,
  withRetries,
} from "./http.ts";
import { CoalescingWriter, fileStream } from "../fs/file_streams.ts";
import { noteStreamed } from "../fs/gc_hint.ts";

export type { FetchPolicy } from "./http.ts";

/** What a download must be. At least one digest. */
export interface Expected {
  length?: number;
  sha256?: string;
  sha1?: string;
}

/**
 * Reads a small document. `undefined` for 404/410 or a missing file; `IntegrityError` if it is
 * longer than `maxLength`; `TransientError` after the retries.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fetchBytes } from "./fetch.ts";
 * const bytes = await fetchBytes(new URL(import.meta.url), { maxLength: 1 << 20 });
 * assert.ok(bytes !== undefined && bytes.length > 0);
 * ```
 */
export function fetchBytes(
  url: URL,
  options: FetchPolicy & { maxLength: number },
): Promise<Uint8Array | undefined> {
  if (!(options.maxLength >= 0)) throw new RangeError("Cannot fetch: maxLength must be >= 0");
  return withRetries(async () => {
    let opened;
    try {
      opened = await openUrl(url, options);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      for await (const chunk of opened.body) {
        total += chunk.byteLength;
        if (total > options.maxLength) {
          throw new IntegrityError(`Cannot fetch ${url}: longer than ${options.maxLength} bytes`);
        }
        chunks.push(chunk);
      }
    } finally {
      await opened.dispose();
    }
    const out = new Uint8Array(total);
    let off = 0;
    for (const c of chunks) {
      out.set(c, off);
      off += c.byteLength;
    }
    return out;
  }, options);
}

async function sizeOf(path: string): Promise<number> {
  return (await stat(path).catch(() => undefined))?.size ?? 0;
}

/** Where the Content-Range of a 206 starts, or `undefined`. */
function rangeStart(header: string | null): number | undefined {
  const m = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(header?.trim() ?? "");
  return m ? Number(m[1]) : undefined;
}

/**
 * Downloads `url` into `<downloads>/<key>.blob`, verified against `expected` while streaming.
 * Returns the blob path (at once if the blob is already there). Throws `IntegrityError` on a
 * mismatch (the `.part` is removed), `NotFoundError` on 404, `TransientError` after the retries
 * (the `.part` stays, for the next run to resume).
 *
 * @example
 * ```ts ignore
 * import { downloadVerified } from "./fetch.ts";
 * const blob = await downloadVerified(new URL("http://127.0.0.1:8787/targets/x.tar.gz"), {
 *   downloads: "/var/lib/drover/downloads",
 *   key: "5f…",
 *   expected: { length: 1234, sha256: "5f…" },
 *   onProgress: (bytes, total) => console.error(bytes, total),
 * });
 * ```
 */
export async function downloadVerified(
  url: URL,
  options: FetchPolicy & {
    downloads: string;
    key: string;
    expected: Expected;
    /** Cap when `expected.length` is unknown (legacy documents without size). Default 4 GiB. */
    maxLength?: number;
    name?: string;
    onProgress?: (bytes: number, total: number | undefined) => void;
  },
): Promise<string> {
  const { expected } = options;
  if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(options.key)) {
    throw new TypeError(`Cannot download: bad key ${options.key}`);
  }
  if (!expected.sha256 && !expected.sha1) throw new TypeError("Cannot download: no digest to verify");
  const blob = `${options.downloads}/${options.key}.blob`;
  const part = `${options.downloads}/${options.key}.part`;
  if ((await stat(blob).catch(() => undefined))?.isFile()) return blob;
  const name = options.name ?? String(url);
  const cap = expected.length ?? options.maxLength ?? 4 * 2 ** 30;
  let freshRetryUsed = false;

  await withRetries(async () => {
    let offset = await sizeOf(part);
    if (offset > cap) {
      await truncate(part, 0);
      offset = 0;
    }
    const request = async (from: number) => {
      const o = await openUrl(url, { ...options, offset: from });
      try {
        checkDeclaredLength(o, { length: expected.length, offset: from, name });
      } catch (error) {
        await o.dispose();
        throw error;
      }
      return o;
    };
    let opened = offset === expected.length ? undefined : await request(offset);
    try {
      if (opened && offset > 0 && opened.status === 200) {
        // the server ignored the Range request and sends everything: take it from byte 0
        await truncate(part, 0);
        offset = 0;
      } else if (
        opened && offset > 0 && (opened.status !== 206 || rangeStart(opened.contentRange) !== offset)
      ) {
        // not satisfiable (416) or a range we did not ask for: start again from byte 0
        await opened.dispose();
        opened = undefined;
        await truncate(part, 0);
        offset = 0;
        opened = await request(0);
      }
      const body = opened?.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
      const verify = new VerifyStream(expected, {
        name,
        prefix: offset > 0 ? fileStream(part, { end: offset }) : undefined,
        onProgress: (bytes) => options.onProgress?.(bytes, expected.length),
      });
      verify.done.catch(() => {}); // the pipe reports the same error
      const handle = await open(part, "a");
      let seen = offset;
      try {
        const writer = new CoalescingWriter(handle, { idleFlushMs: 200 });
        try {
          await body.pipeThrough(verify).pipeTo(
            new WritableStream<Uint8Array>({
              async write(chunk) {
                seen += chunk.byteLength;
                if (seen > cap) throw new IntegrityError(`Cannot verify ${name}: longer than ${cap} bytes`);
                await writer.push(chunk);
                noteStreamed(chunk.byteLength);
              },
            }),
          );
          await verify.done;
        } finally {
          await writer.flush(); // what arrived stays in the .part for a resume (or is removed below)
        }
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      // a server announcing another size than the signed one: final, and the .part is not to blame
      if (error instanceof IntegrityError && !(error instanceof DeclaredLengthError)) {
        await unlink(part).catch(() => {});
        if (offset > 0 && !freshRetryUsed) {
          // the bytes of an earlier run were bad: one fresh download before giving up
          freshRetryUsed = true;
          throw new RetryableError(`Cannot resume ${name}: partial download did not verify`, {
            cause: error,
          });
        }
      }
      throw error;
    } finally {
      await opened?.dispose();
    }
  }, options);
  await rename(part, blob);
  await fsyncDir(dirname(blob));
  return blob;
}
