/**
 * The one storage interface of the edge: repository documents by path (the `RepoStore`
 * of core/trust: `tuf/1.root.json`, `tuf/timestamp.json`, `releases.json`, …) and artifacts
 * (blobs) by SHA-256, streamed both ways.
 *
 * Implementations: {@linkcode FsStorage} (a repository directory, the embedded default) and
 * `R2Storage` (Cloudflare R2, optional KV cache for immutable metadata).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Storage } from "./storage.ts";
 * async function size(storage: Storage, sha256: string): Promise<number | undefined> {
 *   return (await storage.headBlob(sha256))?.size;
 * }
 * assert.equal(typeof size, "function");
 * ```
 * @module
 */

/** Size of a stored blob. Its strong ETag is always `"<sha256>"`. */
export interface BlobInfo {
  size: number;
}

/** A blob opened for reading (whole or a byte range). The body must be consumed or cancelled. */
export interface BlobRead {
  body: ReadableStream<Uint8Array>;
  /** Size of the whole blob, not of the range. */
  size: number;
}

/** Where to find a blob besides its content address: the repository path of its target file. */
export interface BlobLocation {
  /** `targets/<dir>/<sha256>.<basename>`, as written by `scripts/repo.ts` (validated by the caller). */
  path?: string;
}

/** Storage for one repository. Paths are relative, `/`-separated, validated by the caller and again here. */
export interface Storage {
  /** Bytes of a document, or `undefined` when missing. */
  get(path: string): Promise<Uint8Array | undefined>;
  /** Writes a document atomically (readers see the old or the new bytes, never a mix). */
  put(path: string, bytes: Uint8Array): Promise<void>;
  /** Document paths under `prefix` (e.g. `"tuf/"`), in no particular order. */
  list(prefix: string): Promise<string[]>;
  /** Size of a blob, or `undefined`. */
  headBlob(sha256: string, location?: BlobLocation): Promise<BlobInfo | undefined>;
  /** Opens a blob, whole or `range` (already checked against its size), or `undefined`. */
  getBlob(
    sha256: string,
    options?: BlobLocation & { range?: { offset: number; length: number } },
  ): Promise<BlobRead | undefined>;
  /**
   * Stores a blob from a stream. The caller pipes `body` through a verifying stream (core's
   * `VerifyStream`): the blob is committed only if `body` ends without error; otherwise nothing is
   * stored and the error is rethrown. `length`, when known, lets stores that need it stream.
   */
  putBlob(sha256: string, body: ReadableStream<Uint8Array>, options?: { length?: number }): Promise<BlobInfo>;
  /** Optional: also expose a stored blob at its repository path (keeps a directory a complete static repository). */
  linkBlob?(sha256: string, path: string): Promise<void>;
  /**
   * Optional: the repository's lock across processes (edges on one directory, `drover-repo`, Workers
   * isolates on one bucket), held across a read-modify-write of metadata. Waits up to `waitMs` for
   * the holder, then throws `TransientError` (try later). Without it, only one process may publish.
   */
  lock?(options?: { waitMs?: number }): Promise<StorageLock>;
}

/** A held {@linkcode Storage.lock}. */
export interface StorageLock {
  /** Gives the lock up (idempotent; never removes a lock another holder took over). */
  release(): Promise<void>;
}
