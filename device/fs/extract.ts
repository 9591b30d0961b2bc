/**
 * Writes checked archive entries ({@linkcode UntarStream} output) into a directory, safely:
 * never through a symlink, never outside the directory, never taking ownership from the archive.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, readFile, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { packTar } from "modern-tar";
 * import { UntarStream } from "../../core/archive/mod.ts";
 * import { extractTo } from "./extract.ts";
 * const tar = await packTar([{ header: { name: "app/run.sh", size: 3, type: "file", mode: 0o755 }, body: "ok\n" }]);
 * const dir = await mkdtemp(join(tmpdir(), "drover-"));
 * const summary = await extractTo(new Blob([tar]).stream().pipeThrough(new UntarStream()), dir);
 * assert.ok(summary.files === 1 && (await readFile(join(dir, "app/run.sh"), "utf8")) === "ok\n");
 * await rm(dir, { recursive: true });
 * ```
 * @module
 */
import { lstat, realpath } from "node:fs/promises";
import type { ArchiveEntry } from "../../core/archive/mod.ts";
import { type ExtractOptions, type ExtractSummary, Writer } from "./_extract_writer.ts";

export type { ExtractOptions, ExtractSummary } from "./_extract_writer.ts";

/**
 * Extract `entries` into `dir` (which must exist; typically a fresh staging directory).
 * Refuses (IntegrityError naming the entry) to write through a symlink, to turn a directory
 * into something else or the reverse, and hard links to anything but a file extracted earlier
 * in the same run. Restores modes and mtimes (directories after their contents), never chowns,
 * and fsyncs files and directories unless `fsync: false`. On error the stream is cancelled and
 * whatever was written stays in `dir` for the caller to remove.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { packTar } from "modern-tar";
 * import { UntarStream } from "../../core/archive/mod.ts";
 * import { extractTo } from "./extract.ts";
 * const tar = await packTar([
 *   { header: { name: "a", type: "symlink", linkname: ".", size: 0 } },
 *   { header: { name: "a/x", size: 1, type: "file" }, body: "x" },
 * ]);
 * const dir = await mkdtemp(join(tmpdir(), "drover-"));
 * await assert.rejects(
 *   extractTo(new Blob([tar]).stream().pipeThrough(new UntarStream()), dir, { fsync: false }),
 *   { code: "E_INTEGRITY" },
 * );
 * await rm(dir, { recursive: true });
 * ```
 */
export async function extractTo(
  entries: ReadableStream<ArchiveEntry>,
  dir: string,
  options: ExtractOptions = {},
): Promise<ExtractSummary> {
  if (typeof dir !== "string" || dir === "") {
    throw new TypeError("Cannot extract: dir must be a non-empty path");
  }
  const reader = entries.getReader();
  try {
    const root = await realpath(dir);
    if (!(await lstat(root)).isDirectory()) {
      throw new TypeError(`Cannot extract: ${JSON.stringify(dir)} is not a directory`);
    }
    const writer = new Writer(root, options);
    try {
      while (true) {
        options.signal?.throwIfAborted();
        const { done, value } = await reader.read();
        if (done) break;
        await writer.write(value);
      }
    } catch (error) {
      await writer.settle().catch(() => {}); // no file handle is left open
      throw error;
    }
    await writer.finish();
    return writer.summary;
  } catch (error) {
    await reader.cancel(error).catch(() => {});
    throw error;
  } finally {
    reader.releaseLock();
  }
}
