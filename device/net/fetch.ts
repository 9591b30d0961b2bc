/**
 * Fetching for the device: HTTP(S) through the global `fetch` (node:http on Node, where undici's
 * `fetch` is heavier: `device/net/_node_http.ts`) and `file://` through node:fs, with
 * connect and idle timeouts, retries with exponential backoff and jitter on transient failures
 * (network errors, timeouts, 5xx, 429 with Retry-After), 4xx final (`NotFoundError` for 404), and
 * the slow-retrieval bounds (a minimum rate, deadlines: `SlowRetrievalError`, exit 75).
 *
 * {@linkcode downloadVerified} drains the one download stream (`device/net/download.ts`: the `.part`
 * first, then the network from there) through core's `VerifyStream` and renames the `.part` to
 * `<key>.blob` only once verified. {@linkcode fetchBytes} reads small documents (TUF metadata, the
 * legacy releases document) with a length cap and a tighter time bound.
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
import { open, rename, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { IntegrityError, NotFoundError } from "../../core/errors.ts";
import { readAll, ReleaseBehind, VerifyStream } from "../../core/verify/mod.ts";
import { fsyncDir } from "../fs/atomic_file.ts";
import { Download } from "./download.ts";
import { FETCH_DEFAULTS, type FetchPolicy } from "./fetch_policy.ts";
import { openUrl, withRetries } from "./http.ts";

export type { FetchPolicy } from "./fetch_policy.ts";

/** What a download must be. At least one digest. */
export interface Expected {
  length?: number;
  sha256?: string;
  sha1?: string;
  /** A TUF target that lists no sha256 is verified by its sha512 or sha384. */
  sha384?: string;
  sha512?: string;
}

/**
 * Reads a small document. `undefined` for 404/410 or a missing file; `IntegrityError` if it is
 * longer than `maxLength`; `SlowRetrievalError` when slower than the minimum rate or not done within
 * `documentTimeoutMs` (retries included) or by the run's `deadline`; `TransientError` after the retries.
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
  const bound = Date.now() + (options.documentTimeoutMs ?? FETCH_DEFAULTS.documentTimeoutMs);
  const policy = { ...options, deadline: Math.min(options.deadline ?? Infinity, bound) };
  return withRetries(async () => {
    let opened;
    try {
      opened = await openUrl(url, policy);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
    try {
      return await readAll(opened.body, {
        maxBytes: options.maxLength,
        name: String(url),
        tooLarge: (max) => new IntegrityError(`Cannot fetch ${url}: longer than ${max} bytes`),
      });
    } finally {
      await opened.dispose();
    }
  }, policy);
}

/**
 * Downloads `url` into `<downloads>/<key>.blob`, verified against `expected` while streaming.
 * Returns the blob path (at once if the blob is already there). Throws `IntegrityError` on a
 * mismatch (the `.part` is removed; a `.part` of an earlier run that does not verify is downloaded
 * once more from byte 0 first), `NotFoundError` on 404, `TransientError` after the retries or when too
 * slow (the `.part` stays, for the next run to resume).
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
  if (!expected.sha256 && !expected.sha1 && !expected.sha384 && !expected.sha512) {
    throw new TypeError("Cannot download: no digest to verify");
  }
  const blob = `${options.downloads}/${options.key}.blob`;
  const part = `${options.downloads}/${options.key}.part`;
  if ((await stat(blob).catch(() => undefined))?.isFile()) return blob;
  const name = options.name ?? String(url);
  const download = new Download(url, { ...options, part, length: expected.length, name });
  await download.run(async (openStream) => {
    const verify = new VerifyStream(expected, { name });
    verify.done.catch(() => {}); // the pipe reports the same error
    // the chunks are this download's alone (written to the .part, hashed): each buffer is freed once
    // a chunk of another one follows (one buffer may back consecutive chunks)
    const behind = new ReleaseBehind();
    const drain = new WritableStream<Uint8Array>({ write: (chunk) => behind.used(chunk) });
    await openStream().pipeThrough(verify).pipeTo(drain);
    await verify.done;
  });
  const handle = await open(part, "r+");
  try {
    await handle.sync(); // the verified bytes are on disk before the name says so
  } finally {
    await handle.close();
  }
  await rename(part, blob);
  await fsyncDir(dirname(blob));
  return blob;
}
