/**
 * One entry of a tar archive, as {@linkcode UntarStream} produces it: already checked and
 * normalised, so an extractor only has to write it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ArchiveEntry } from "./archive_entry.ts";
 * const dir: ArchiveEntry = { path: "etc", type: "directory", mode: 0o755, mtime: new Date(0), size: 0 };
 * assert.equal(dir.body, undefined);
 * ```
 * @module
 */

/** Entry types an archive may carry (anything else is refused). */
export type ArchiveEntryType = "file" | "directory" | "symlink" | "hardlink";

/** A checked archive entry. */
export interface ArchiveEntry {
  /** Normalised relative path: no leading `./` or `/`, no `.` or `..` segments, no trailing `/`. */
  path: string;
  /** What the entry is. */
  type: ArchiveEntryType;
  /** Permission bits only (`& 0o777`): setuid, setgid and sticky are dropped. */
  mode: number;
  /** Modification time from the archive. */
  mtime: Date;
  /** Body length in bytes (0 for everything but files). */
  size: number;
  /**
   * Symlinks: the target as written in the archive (relative, stays inside the root).
   * Hard links: the normalised path of an earlier entry.
   */
  linkTarget?: string;
  /** Files only: the body. It must be consumed or cancelled before the next entry arrives. */
  body?: ReadableStream<Uint8Array>;
}

/** Limits and format choices of {@linkcode UntarStream}. */
export interface UntarOptions {
  /** `true`: input is gzip; `false`: plain tar; `"auto"` (default): sniff the gzip magic bytes. */
  gzip?: boolean | "auto";
  /** Largest body of one entry, in bytes. Default 4 GiB. */
  maxEntrySize?: number;
  /** Most entries (of any type). Default 100,000. */
  maxEntries?: number;
  /** Largest sum of all bodies, in bytes. Default 16 GiB. */
  maxTotalSize?: number;
  /**
   * Frees each buffer as soon as it is used (detached: its views read as empty), instead of when a
   * collection finds it: input chunks once gunzip has taken them, gunzip's output once the bodies
   * are read past it. Only for a pipeline where the stream owns its input chunks (nothing else reads
   * or reuses them: a file read, a download) and each entry body is read one chunk at a time, the
   * reader done with a chunk when it reads the next (writing it to a file, as `extractTo` does).
   * Default `false`.
   */
  releaseBuffers?: boolean;
}
