/**
 * Atomic file replacement: write a temporary file in the same directory, fsync it, rename it over
 * the destination, fsync the directory. A reader (or a power cut) sees the old or the new file,
 * never a mix.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readFile, mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { writeFileAtomic } from "./atomic_file.ts";
 * const dir = await mkdtemp(join(tmpdir(), "atomic-"));
 * await writeFileAtomic(join(dir, "status.json"), '{"version":1}\n');
 * assert.ok((await readFile(join(dir, "status.json"), "utf8")).startsWith("{"));
 * await rm(dir, { recursive: true });
 * ```
 * @module
 */
import { open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { storageErrorOf } from "./storage_error.ts";

/**
 * Replaces `path` atomically with `data` (temp + fsync + rename + directory fsync). A full or
 * read-only file system: `NoSpaceError` / `ReadOnlyError` (`Cannot write <path>: …`), no temp file left.
 *
 * @example
 * ```ts
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { writeFileAtomic } from "./atomic_file.ts";
 * const dir = await mkdtemp(join(tmpdir(), "atomic-"));
 * await writeFileAtomic(join(dir, "a.json"), new TextEncoder().encode("{}"), { mode: 0o600 });
 * await rm(dir, { recursive: true });
 * ```
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: { mode?: number } = {},
): Promise<void> {
  if (typeof path !== "string" || path === "") throw new TypeError("Cannot write file: empty path");
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
  const named = (error: unknown) => storageErrorOf(error, { action: `write ${path}`, path: dir }) ?? error;
  const handle = await open(tmp, "wx", options.mode ?? 0o644).catch((error) => {
    throw named(error);
  });
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (error) {
    await unlink(tmp).catch(() => {});
    throw named(error);
  }
  await fsyncDir(dir);
}

/**
 * fsyncs a directory so that renames and new entries in it survive a power cut. Filesystems
 * that cannot fsync a directory (EINVAL, EISDIR on some platforms) are tolerated.
 *
 * @example
 * ```ts
 * import { tmpdir } from "node:os";
 * import { fsyncDir } from "./atomic_file.ts";
 * await fsyncDir(tmpdir());
 * ```
 */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== "EINVAL" && code !== "EISDIR" && code !== "EPERM") throw error;
  } finally {
    await handle.close();
  }
}
