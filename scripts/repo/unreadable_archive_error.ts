/**
 * An app archive given to `repo add-app` that devices could not read: not gzip or tar, truncated,
 * corrupt, or empty. Nothing is published. Exit code 1 (the repo CLI's failure), code `E_ARCHIVE`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UnreadableArchiveError } from "./unreadable_archive_error.ts";
 * const e = new UnreadableArchiveError("Cannot add app: radio.tar.gz is not a readable tar or tar.gz archive");
 * assert.ok(e.code === "E_ARCHIVE" && e.name === "UnreadableArchiveError");
 * ```
 * @module
 */

/** The archive cannot be read as a tar or tar.gz. */
export class UnreadableArchiveError extends Error {
  /** Stable, machine-readable code. */
  readonly code = "E_ARCHIVE" as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "UnreadableArchiveError";
  }
}
