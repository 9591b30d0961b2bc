/**
 * `drover image get --output FILE`: the image goes to a temp file beside FILE (fsync, rename, fsync of the
 * directory). {@linkcode ImageOutput.check} tries the place before anything is fetched, so a mistyped path
 * fails at once; file system failures read `Cannot write the image to FILE: <detail>` (`NotFoundError`
 * when its directory is missing, `NoSpaceError`/`ReadOnlyError` for a full or read-only file system, else
 * `Error`: exit 1), never a bare `ENOENT … .tmp-…`. Errors of the stream itself (an `IntegrityError` of a
 * corrupt cached image) pass through as they are.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, readFile, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { NotFoundError } from "../../core/errors.ts";
 * import { ImageOutput } from "./_image_output.ts";
 * const dir = await mkdtemp(join(tmpdir(), "out-"));
 * const out = new ImageOutput(join(dir, "os.img"));
 * await out.check();
 * await out.write(new Blob(["image"]).stream());
 * assert.equal(await readFile(join(dir, "os.img"), "utf8"), "image");
 * await assert.rejects(new ImageOutput(join(dir, "no/os.img")).check(), NotFoundError);
 * await rm(dir, { recursive: true });
 * ```
 * @module
 */
import { open, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { DroverError, NotFoundError } from "../../core/errors.ts";
import { fsyncDir } from "../fs/atomic_file.ts";
import { handleSink } from "../fs/file_streams.ts";
import { storageErrorOf } from "../fs/storage_error.ts";

/** A system error of node:fs (it has a string `code` and `syscall`). */
function isSystemError(error: unknown): error is Error & { code: string } {
  const e = error as { code?: unknown; syscall?: unknown } | undefined;
  return !(error instanceof DroverError) && typeof e?.code === "string" && typeof e?.syscall === "string";
}

/** The output file of `image get` (see the module doc). */
export class ImageOutput {
  /** The path as given. */
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  /** The named error for a file system failure writing the output; other errors as they are. */
  #failure(error: unknown): unknown {
    if (!isSystemError(error)) return error;
    const dir = dirname(resolve(this.path));
    const storage = storageErrorOf(error, { action: `write the image to ${this.path}`, path: dir });
    if (storage) return storage; // a full or read-only file system: E_NO_SPACE, E_READ_ONLY
    const action = `Cannot write the image to ${this.path}`;
    switch (error.code) {
      case "ENOENT":
        return new NotFoundError(`${action}: directory ${dir} does not exist`, { cause: error });
      case "ENOTDIR":
        return new NotFoundError(`${action}: ${dir} is not a directory`, { cause: error });
      case "EISDIR":
        return new Error(`${action}: it is a directory`, { cause: error });
      case "EACCES":
      case "EPERM":
        return new Error(`${action}: permission denied in ${dir}`, { cause: error });
      default:
        return new Error(`${action}: ${error.message}`, { cause: error });
    }
  }

  #tmp(): string {
    return join(dirname(this.path), `.${basename(this.path)}.tmp-${randomBytes(4).toString("hex")}`);
  }

  /** Tries the place before the image is fetched: not a directory, and a temp file can be created beside it. */
  async check(): Promise<void> {
    if ((await stat(this.path).catch(() => undefined))?.isDirectory()) {
      throw new Error(`Cannot write the image to ${this.path}: it is a directory`);
    }
    try {
      const tmp = this.#tmp();
      await (await open(tmp, "wx", 0o644)).close();
      await unlink(tmp);
    } catch (error) {
      throw this.#failure(error);
    }
  }

  /** Writes `stream` to the file: temp file, fsync, rename, fsync of the directory. */
  async write(stream: ReadableStream<Uint8Array>, signal?: AbortSignal): Promise<void> {
    const tmp = this.#tmp();
    try {
      const handle = await open(tmp, "wx", 0o644);
      try {
        try {
          await stream.pipeTo(handleSink(handle), { signal });
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(tmp, this.path);
      } catch (error) {
        await unlink(tmp).catch(() => {});
        throw error;
      }
      await fsyncDir(dirname(this.path));
    } catch (error) {
      throw this.#failure(error);
    }
  }
}
