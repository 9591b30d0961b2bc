/**
 * The embedded storage: a repository directory, the same layout `scripts/repo.ts` writes
 * (`tuf/`, `targets/<dir>/<sha256>.<basename>`, `releases.json`), so `repo` output is served
 * as is by pointing `DROVER_DATA` at it. Blobs uploaded through the edge are kept by content
 * address in `blobs/<sha256>` and hard-linked to their target path when metadata naming them is
 * published, so the directory stays a complete static repository. Its lock is the file `<root>/.lock`,
 * the one `drover-repo` takes too.
 * @module
 */
import { constants } from "node:fs";
import { link, mkdir, open, readdir, readFile, rename, stat, unlink } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { BlobInfo, BlobLocation, BlobRead, Storage, StorageLock } from "./storage.ts";
import { checkPath, checkSha256 } from "./_checks.ts";
import { lockFile } from "./_fs_lock.ts";

const CHUNK = 256 * 1024;

/**
 * {@linkcode Storage} on a local directory (node:fs; atomic writes by temp file + rename).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FsStorage } from "./fs_storage.ts";
 * const dir = await Deno.makeTempDir();
 * const storage = new FsStorage(dir);
 * await storage.put("tuf/timestamp.json", new TextEncoder().encode("{}"));
 * assert.equal((await storage.get("tuf/timestamp.json"))?.length, 2);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class FsStorage implements Storage {
  readonly #root: string;

  /** `root` is the repository directory (created on first write). */
  constructor(root: string) {
    if (typeof root !== "string" || root === "") {
      throw new TypeError("Cannot open storage: empty directory name");
    }
    this.#root = root;
  }

  /** The repository directory. */
  get root(): string {
    return this.#root;
  }

  async get(path: string): Promise<Uint8Array | undefined> {
    checkPath(path);
    try {
      const buffer = await readFile(join(this.#root, path));
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async put(path: string, bytes: Uint8Array): Promise<void> {
    checkPath(path);
    const file = join(this.#root, path);
    await mkdir(dirname(file), { recursive: true });
    const temp = `${file}.${crypto.randomUUID()}.tmp`;
    const handle = await open(temp, "w", 0o644);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } catch (error) {
      await handle.close();
      await unlink(temp).catch(() => {});
      throw error;
    }
    await handle.close();
    await rename(temp, file);
  }

  async list(prefix: string): Promise<string[]> {
    const base = prefix.replace(/\/+$/, "");
    if (base !== "") checkPath(base);
    const out: string[] = [];
    const walk = async (relative: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(join(this.#root, relative), { withFileTypes: true });
      } catch (error) {
        if (isMissing(error) || isNotDirectory(error)) return;
        throw error;
      }
      for (const entry of entries) {
        if (entry.name.endsWith(".tmp") || /^\.lock(\.|$)/.test(entry.name)) continue; // not documents
        const child = relative === "" ? entry.name : `${relative}/${entry.name}`;
        if (entry.isDirectory()) await walk(child);
        else if (entry.isFile()) out.push(child);
      }
    };
    await walk(base);
    return out;
  }

  async headBlob(sha256: string, location?: BlobLocation): Promise<BlobInfo | undefined> {
    for (const file of this.#candidates(sha256, location)) {
      try {
        const info = await stat(file);
        if (info.isFile()) return { size: info.size };
      } catch (error) {
        if (!isMissing(error) && !isNotDirectory(error)) throw error;
      }
    }
    return undefined;
  }

  async getBlob(
    sha256: string,
    options?: BlobLocation & { range?: { offset: number; length: number } },
  ): Promise<BlobRead | undefined> {
    for (const file of this.#candidates(sha256, options)) {
      let handle: FileHandle;
      try {
        handle = await open(file, constants.O_RDONLY);
      } catch (error) {
        if (isMissing(error) || isNotDirectory(error)) continue;
        throw error;
      }
      try {
        const size = (await handle.stat()).size;
        const offset = options?.range?.offset ?? 0;
        const length = options?.range?.length ?? size - offset;
        return { body: fileStream(handle, { offset, length }), size };
      } catch (error) {
        await handle.close();
        throw error;
      }
    }
    return undefined;
  }

  async putBlob(
    sha256: string,
    body: ReadableStream<Uint8Array>,
    _options?: { length?: number },
  ): Promise<BlobInfo> {
    checkSha256(sha256);
    const dir = join(this.#root, "blobs");
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `${sha256}.${crypto.randomUUID()}.tmp`);
    const handle = await open(temp, "w", 0o644);
    let size = 0;
    try {
      for await (const chunk of body) {
        let done = 0;
        while (done < chunk.byteLength) {
          const { bytesWritten } = await handle.write(chunk, done, chunk.byteLength - done);
          done += bytesWritten;
        }
        size += chunk.byteLength;
      }
      await handle.sync();
    } catch (error) {
      await handle.close();
      await unlink(temp).catch(() => {});
      throw error;
    }
    await handle.close();
    await rename(temp, join(dir, sha256));
    return { size };
  }

  async linkBlob(sha256: string, path: string): Promise<void> {
    checkSha256(sha256);
    checkPath(path);
    const target = join(this.#root, path);
    await mkdir(dirname(target), { recursive: true });
    try {
      await link(join(this.#root, "blobs", sha256), target);
    } catch (error) {
      if ((error as { code?: string }).code !== "EEXIST" && !isMissing(error)) throw error;
    }
  }

  /** `<root>/.lock` (pid and start time; a dead holder's lock is taken over), shared with `drover-repo`. */
  async lock(options: { waitMs?: number } = {}): Promise<StorageLock> {
    await mkdir(this.#root, { recursive: true });
    return await lockFile(join(this.#root, ".lock"), { waitMs: options.waitMs ?? 10_000 });
  }

  #candidates(sha256: string, location?: BlobLocation): string[] {
    checkSha256(sha256);
    const files = [join(this.#root, "blobs", sha256)];
    if (location?.path !== undefined) {
      checkPath(location.path);
      const base = location.path.slice(location.path.lastIndexOf("/") + 1);
      if (!location.path.startsWith("targets/") || !base.startsWith(`${sha256}.`)) {
        throw new TypeError(`Cannot locate blob: path does not name ${sha256}`);
      }
      files.push(join(this.#root, location.path));
    }
    return files;
  }
}

function fileStream(
  handle: FileHandle,
  span: { offset: number; length: number },
): ReadableStream<Uint8Array> {
  let position = span.offset;
  let left = span.length;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (left <= 0) {
          await close();
          controller.close();
          return;
        }
        const buffer = new Uint8Array(Math.min(CHUNK, left));
        const { bytesRead } = await handle.read(buffer, 0, buffer.byteLength, position);
        if (bytesRead === 0) {
          await close();
          controller.error(new RangeError("Cannot read blob: file shorter than expected"));
          return;
        }
        position += bytesRead;
        left -= bytesRead;
        controller.enqueue(bytesRead === buffer.byteLength ? buffer : buffer.subarray(0, bytesRead));
        if (left <= 0) {
          await close();
          controller.close();
        }
      } catch (error) {
        await close().catch(() => {});
        controller.error(error);
      }
    },
    async cancel() {
      await close();
    },
  }, { highWaterMark: 0 });
}

function isMissing(error: unknown): boolean {
  return (error as { code?: string })?.code === "ENOENT";
}

function isNotDirectory(error: unknown): boolean {
  return (error as { code?: string })?.code === "ENOTDIR";
}
