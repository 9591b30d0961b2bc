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
}
