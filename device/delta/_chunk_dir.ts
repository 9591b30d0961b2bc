/**
 * Private to device/delta: a directory of verified chunks named by their sha256 (the resumable
 * state of a delta download: a killed run keeps what it had). Written as a temp file + rename;
 * read back re-hashed, since a file may be damaged after a power cut.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** A chunk directory. */
export class ChunkDir {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }

  /** The sha256 names held. */
  async list(): Promise<Set<string>> {
    await mkdir(this.dir, { recursive: true });
    return new Set((await readdir(this.dir)).filter((f) => /^[0-9a-f]{64}$/.test(f)));
  }

  /** Stores verified `bytes` as `sha256`. */
  async put(sha256: string, bytes: Uint8Array): Promise<void> {
    const tmp = join(this.dir, `.${sha256}.${randomBytes(4).toString("hex")}.tmp`);
    await writeFile(tmp, bytes);
    await rename(tmp, join(this.dir, sha256));
  }

  /** The bytes of `sha256` when they still hash to it, else `undefined` (the file is removed). */
  async get(sha256: string): Promise<Uint8Array | undefined> {
    const path = join(this.dir, sha256);
    const bytes = await readFile(path).catch(() => undefined);
    if (bytes && createHash("sha256").update(bytes).digest("hex") === sha256) return bytes;
    await rm(path, { force: true });
    return undefined;
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
