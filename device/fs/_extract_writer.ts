/**
 * The file-system side of extractTo (private to device/fs/extract.ts): writes one checked entry at a
 * time under a root, tracking which paths are real directories and which files it wrote.
 * @module
 */
import { constants } from "node:fs";
import {
  chmod,
  type FileHandle,
  link,
  lstat,
  lutimes,
  mkdir,
  open,
  symlink,
  unlink,
  utimes,
} from "node:fs/promises";
import type { ArchiveEntry } from "../../core/archive/mod.ts";
import { IntegrityError } from "../../core/errors.ts";
import { writeAll } from "./file_streams.ts";

/** Small body chunks are gathered into writes of this size; bigger chunks are written as they are. */
const WRITE_BUFFER = 1024 * 1024;
const DIRECT_WRITE = 256 * 1024;
/**
 * fsyncs left running while the next files are written (the kernel writes one file back while we
 * extract the next); all are awaited in finish(), before the directories are synced.
 */
const PENDING_SYNCS = 2;
const FILE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

function quote(path: string): string {
  return JSON.stringify(path);
}

function errno(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code;
}

/** Options of {@linkcode extractTo}. */
export interface ExtractOptions {
  /** fsync every file and directory written (default true). */
  fsync?: boolean;
  /** Stops between entries (and while writing a body) when aborted. */
  signal?: AbortSignal;
}

/** What {@linkcode extractTo} wrote. */
export interface ExtractSummary {
  files: number;
  directories: number;
  symlinks: number;
  hardlinks: number;
  /** Bytes of file contents written. */
  bytes: number;
}

/** Writes entries under one root directory; call finish() once at the end. */
export class Writer {
  readonly summary: ExtractSummary = { files: 0, directories: 0, symlinks: 0, hardlinks: 0, bytes: 0 };
  #root: string;
  #fsync: boolean;
  #signal: AbortSignal | undefined;
  /** Relative paths known to be real directories (created or checked by us); "" is the root. */
  #dirs = new Set<string>([""]);
  /** Directories this run created without an entry of their own (they get mode 0755). */
  #created = new Set<string>();
  /** Modes and mtimes of directory entries, applied at the end. */
  #dirMeta = new Map<string, { mode: number; mtime: Date }>();
  /** Regular files written in this run (hard link targets). */
  #files = new Set<string>();
  #buffer = new Uint8Array(WRITE_BUFFER);
  /** fsync+close of finished files, in flight. */
  #syncs = new Set<Promise<void>>();
  #syncFailure: unknown;

  constructor(root: string, options: ExtractOptions) {
    this.#root = root;
    this.#fsync = options.fsync ?? true;
    this.#signal = options.signal;
  }

  #abs(rel: string): string {
    return rel === "" ? this.#root : `${this.#root}/${rel}`;
  }

  async write(entry: ArchiveEntry): Promise<void> {
    if (entry.type !== "file") await entry.body?.cancel();
    await this.#ensureParents(entry);
    switch (entry.type) {
      case "directory":
        return await this.#directory(entry);
      case "file":
        return await this.#file(entry);
      case "symlink":
        return await this.#symlink(entry);
      case "hardlink":
        return await this.#hardlink(entry);
      default:
        throw new IntegrityError(`Cannot extract entry ${quote(entry.path)}: unsupported type`);
    }
  }

  /** Every ancestor must be a real directory: created here, or found as one (never a symlink). */
  async #ensureParents(entry: ArchiveEntry): Promise<void> {
    const parts = entry.path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const rel = parts.slice(0, i).join("/");
      if (this.#dirs.has(rel)) continue;
      const found = await lstat(this.#abs(rel)).catch((
        e,
      ) => (errno(e) === "ENOENT" ? undefined : Promise.reject(e)));
      if (found?.isSymbolicLink()) {
        throw new IntegrityError(
          `Cannot extract entry ${quote(entry.path)}: ${
            quote(rel)
          } is a symlink (writing through symlinks is refused)`,
        );
      }
      if (found && !found.isDirectory()) {
        throw new IntegrityError(
          `Cannot extract entry ${quote(entry.path)}: ${quote(rel)} is not a directory`,
        );
      }
      if (!found) {
        await mkdir(this.#abs(rel), { mode: 0o700 });
        this.#created.add(rel);
      }
      this.#dirs.add(rel);
    }
  }

  /** Make room for a non-directory: remove an earlier file or link there; refuse to replace a directory. */
  async #clear(entry: ArchiveEntry): Promise<void> {
    if (this.#dirs.has(entry.path)) {
      throw new IntegrityError(`Cannot extract entry ${quote(entry.path)}: it would replace a directory`);
    }
    const found = await lstat(this.#abs(entry.path)).catch(() => undefined);
    if (!found) return;
    if (found.isDirectory()) {
      throw new IntegrityError(`Cannot extract entry ${quote(entry.path)}: it would replace a directory`);
    }
    await unlink(this.#abs(entry.path));
    this.#files.delete(entry.path);
  }

  async #directory(entry: ArchiveEntry): Promise<void> {
    if (!this.#dirs.has(entry.path)) {
      const found = await lstat(this.#abs(entry.path)).catch(() => undefined);
      if (found && !found.isDirectory()) {
        const what = found.isSymbolicLink() ? "a symlink" : "a file";
        throw new IntegrityError(`Cannot extract directory ${quote(entry.path)}: it would replace ${what}`);
      }
      if (!found) await mkdir(this.#abs(entry.path), { mode: 0o700 });
      this.#dirs.add(entry.path);
      this.summary.directories++;
    }
    this.#dirMeta.set(entry.path, { mode: entry.mode, mtime: entry.mtime });
  }

  async #file(entry: ArchiveEntry): Promise<void> {
    const body = entry.body;
    if (!body) throw new TypeError(`Cannot extract file ${quote(entry.path)}: no body`);
    const reader = body.getReader();
    try {
      await this.#clear(entry);
      const fh = await open(this.#abs(entry.path), FILE_FLAGS, 0o600);
      let syncing = false;
      try {
        let written = 0;
        let filled = 0;
        const buffer = this.#buffer;
        const flush = async () => {
          await writeAll(fh, buffer.subarray(0, filled));
          filled = 0;
        };
        while (true) {
          const { done, value } = await reader.read();
          if (done) break;
          written += value.length;
          if (written > entry.size) break;
          if (value.length >= DIRECT_WRITE) {
            await flush();
            await writeAll(fh, value);
            this.#signal?.throwIfAborted();
            continue;
          }
          for (let at = 0; at < value.length;) {
            const n = Math.min(value.length - at, buffer.length - filled);
            buffer.set(value.subarray(at, at + n), filled);
            filled += n;
            at += n;
            if (filled === buffer.length) {
              await flush();
              this.#signal?.throwIfAborted();
            }
          }
        }
        if (written !== entry.size) {
          throw new IntegrityError(
            `Cannot extract file ${quote(entry.path)}: body is ${written} bytes, header says ${entry.size}`,
          );
        }
        await flush();
        await fh.chmod(entry.mode);
        await fh.utimes(entry.mtime, entry.mtime);
        if (this.#fsync) {
          syncing = true;
          await this.#syncLater(fh);
        }
      } finally {
        if (!syncing) await fh.close();
      }
    } catch (error) {
      await reader.cancel(error).catch(() => {});
      throw error;
    } finally {
      reader.releaseLock();
    }
    this.#files.add(entry.path);
    this.summary.files++;
    this.summary.bytes += entry.size;
  }

  async #symlink(entry: ArchiveEntry): Promise<void> {
    const target = entry.linkTarget;
    if (!target || target.startsWith("/")) {
      throw new IntegrityError(`Cannot extract symlink ${quote(entry.path)}: invalid target`);
    }
    await this.#clear(entry);
    await symlink(target, this.#abs(entry.path));
    await lutimes(this.#abs(entry.path), entry.mtime, entry.mtime);
    this.summary.symlinks++;
  }

  async #hardlink(entry: ArchiveEntry): Promise<void> {
    const target = entry.linkTarget ?? "";
    const name = `hard link ${quote(entry.path)} -> ${quote(target)}`;
    if (!this.#files.has(target)) {
      throw new IntegrityError(`Cannot extract ${name}: target is not a file extracted earlier`);
    }
    const found = await lstat(this.#abs(target)).catch(() => undefined);
    if (!found?.isFile()) throw new IntegrityError(`Cannot extract ${name}: target is not a regular file`);
    await this.#clear(entry);
    await link(this.#abs(target), this.#abs(entry.path));
    this.#files.add(entry.path);
    this.summary.hardlinks++;
  }

  /** Starts fsync+close of a finished file; waits while {@linkcode PENDING_SYNCS} are in flight. */
  async #syncLater(fh: FileHandle): Promise<void> {
    const p: Promise<void> = fh.sync().catch((error) => {
      this.#syncFailure ??= error;
    }).finally(() => fh.close().catch(() => {})).finally(() => this.#syncs.delete(p));
    this.#syncs.add(p);
    while (this.#syncs.size > PENDING_SYNCS) await Promise.race(this.#syncs);
    if (this.#syncFailure) throw this.#syncFailure;
  }

  /** Waits for every file's fsync (and close). Also called on errors, so that no handle is left open. */
  async settle(): Promise<void> {
    while (this.#syncs.size > 0) await Promise.all(this.#syncs);
    if (this.#syncFailure) throw this.#syncFailure;
  }

  /**
   * Waits for the files' fsyncs, then fsyncs directories (while still writable and searchable),
   * then restores modes and mtimes, deepest first.
   */
  async finish(): Promise<void> {
    await this.settle();
    const dirs = [...this.#dirs].filter((d) => d !== "").sort((a, b) =>
      b.split("/").length - a.split("/").length
    );
    if (this.#fsync) {
      for (const rel of [...dirs, ""]) {
        const fh = await open(this.#abs(rel), constants.O_RDONLY | constants.O_DIRECTORY);
        try {
          await fh.sync();
        } finally {
          await fh.close();
        }
      }
    }
    for (const rel of dirs) {
      const meta = this.#dirMeta.get(rel);
      if (meta) {
        await chmod(this.#abs(rel), meta.mode);
        await utimes(this.#abs(rel), meta.mtime, meta.mtime);
      } else if (this.#created.has(rel)) await chmod(this.#abs(rel), 0o755);
    }
  }
}
