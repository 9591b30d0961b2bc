/**
 * A {@linkcode RepoStore} on a directory (node:fs): reads return `undefined` for missing files;
 * writes are atomic (temp file in the same directory, fsync, rename, fsync of the directory).
 * Paths are relative, `/`-separated and may not escape the directory.
 *
 * @example
 * ```ts ignore
 * import { FsRepoStore } from "./fs_repo_store.ts";
 * const store = new FsRepoStore("/srv/repo");
 * await store.put("releases.json", new TextEncoder().encode("{}"));
 * ```
 * @module
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import type { RepoStore } from "../../core/trust/mod.ts";

/** Repository files in a directory. */
export class FsRepoStore implements RepoStore {
  #root: string;

  constructor(root: string) {
    this.#root = resolve(root);
  }

  /** The directory. */
  get root(): string {
    return this.#root;
  }

  /** Absolute path of a repository-relative `path`; `TypeError` when it could escape. */
  resolve(path: string): string {
    const parts = path.split("/");
    if (path === "" || parts.some((p) => p === "" || p === "." || p === ".." || p.includes("\\"))) {
      throw new TypeError(`Cannot use repository path '${path}'`);
    }
    const full = join(this.#root, ...parts);
    if (!full.startsWith(this.#root + sep)) throw new TypeError(`Cannot use repository path '${path}'`);
    return full;
  }

  /** The bytes at `path`, or `undefined` when there is no such file. */
  async get(path: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.resolve(path)));
    } catch (e) {
      if ((e as { code?: string }).code === "ENOENT") return undefined;
      throw e;
    }
  }

  /** Write `bytes` to `path` atomically. */
  async put(path: string, bytes: Uint8Array): Promise<void> {
    const full = this.resolve(path);
    await mkdir(dirname(full), { recursive: true });
    const tmp = `${full}.tmp-${randomBytes(6).toString("hex")}`;
    try {
      const fh = await open(tmp, "wx", 0o644);
      try {
        await fh.writeFile(bytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, full);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    await syncDir(dirname(full));
  }

  /** Delete `path` (no error when it is not there). */
  async remove(path: string): Promise<void> {
    const full = this.resolve(path);
    await rm(full, { force: true });
    await syncDir(dirname(full));
  }
}

/** fsync a directory (best effort: some file systems refuse). */
export async function syncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, "r");
    await fh.sync();
  } catch {
    // not supported here
  } finally {
    await fh?.close();
  }
}
