/**
 * Private: the on-disk side of the image cache.
 * ```
 * <cacheDir>/images/<slug>/<version>/<variant>/<sha256>.img   verified image, committed by rename
 * <cacheDir>/images/<slug>/<version>/<variant>/index.json     CacheEntry (atomic writes; accessedAt per get)
 * <cacheDir>/partials/<sha256>.part|.blob|.lock               resumable downloads and their locks
 * <cacheDir>/device-types.json                                last verified device-types document (aliases offline)
 * ```
 * @module
 */
import { mkdir, readdir, readFile, rename, rm, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { assertDeviceType, assertSegment, isSha256 } from "../../core/names/mod.ts";
import { VerifyStream } from "../../core/verify/mod.ts";
import { fsyncDir, writeFileAtomic } from "../fs/atomic_file.ts";
import { fileStream } from "../fs/file_streams.ts";

/** One cached image (the content of its index.json, plus its path). */
export interface CacheEntry {
  deviceType: string;
  version: string;
  variant: "prod" | "dev";
  sha256: string;
  size: number;
  prerelease: boolean;
  recommended: boolean;
  /** TUF target path it came from. */
  target: string;
  addedAt: string;
  /** Last get (least recently used images are evicted first). */
  accessedAt: string;
  /** Absolute path of the image file. */
  path: string;
}

/** Paths of the cache. */
export class ImageStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  get partials(): string {
    return join(this.dir, "partials");
  }

  entryDir(deviceType: string, version: string, variant: string): string {
    assertDeviceType(deviceType);
    assertSegment(version, "version");
    assertSegment(variant, "variant");
    return join(this.dir, "images", deviceType, version, variant);
  }

  async readEntry(dir: string): Promise<CacheEntry | undefined> {
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(await readFile(join(dir, "index.json"), "utf8"));
    } catch {
      return undefined;
    }
    const sha = doc.sha256;
    if (!isSha256(sha) || !Number.isSafeInteger(doc.size)) return undefined;
    if (typeof doc.version !== "string" || typeof doc.deviceType !== "string") return undefined;
    return { ...(doc as unknown as CacheEntry), path: join(dir, `${sha}.img`) };
  }

  async writeEntry(entry: CacheEntry): Promise<void> {
    const { path: _path, ...doc } = entry;
    const dir = this.entryDir(entry.deviceType, entry.version, entry.variant);
    await writeFileAtomic(join(dir, "index.json"), JSON.stringify({ schema: 1, ...doc }, null, 2) + "\n");
  }

  /** Moves a verified download into its entry dir (rename, fsync) and writes its index. */
  async commit(
    blob: string,
    facts: Omit<CacheEntry, "path" | "addedAt" | "accessedAt">,
  ): Promise<CacheEntry> {
    const dir = this.entryDir(facts.deviceType, facts.version, facts.variant);
    await mkdir(dir, { recursive: true });
    const now = new Date().toISOString();
    const entry: CacheEntry = {
      ...facts,
      addedAt: now,
      accessedAt: now,
      path: join(dir, `${facts.sha256}.img`),
    };
    await rename(blob, entry.path);
    await fsyncDir(dir);
    await this.writeEntry(entry);
    return entry;
  }

  /** True when the image file exists with the recorded size (the cheap check). */
  async intact(entry: CacheEntry): Promise<boolean> {
    const st = await stat(entry.path).catch(() => undefined);
    return !!st?.isFile() && st.size === entry.size;
  }

  /** True when the image file hashes to the recorded sha256 (a full read). */
  async verify(entry: CacheEntry): Promise<boolean> {
    const verify = new VerifyStream({ length: entry.size, sha256: entry.sha256 }, { name: entry.path });
    try {
      await fileStream(entry.path).pipeThrough(verify).pipeTo(new WritableStream());
      await verify.done;
      return true;
    } catch {
      return false;
    }
  }

  async drop(entry: Pick<CacheEntry, "deviceType" | "version" | "variant">): Promise<void> {
    await rm(this.entryDir(entry.deviceType, entry.version, entry.variant), { recursive: true, force: true });
  }

  /** Every entry dir (slug/version/variant), with its entry if the index is readable. */
  async #walk(): Promise<{ dir: string; entry?: CacheEntry }[]> {
    const out: { dir: string; entry?: CacheEntry }[] = [];
    const ls = (d: string) =>
      readdir(d, { withFileTypes: true }).then((l) => l.filter((e) => e.isDirectory()), () => []);
    for (const slug of await ls(join(this.dir, "images"))) {
      for (const version of await ls(join(this.dir, "images", slug.name))) {
        for (const variant of await ls(join(this.dir, "images", slug.name, version.name))) {
          const dir = join(this.dir, "images", slug.name, version.name, variant.name);
          out.push({ dir, entry: await this.readEntry(dir) });
        }
      }
    }
    return out;
  }

  async list(): Promise<CacheEntry[]> {
    return (await this.#walk()).flatMap((w) => (w.entry ? [w.entry] : []));
  }

  /**
   * Removes orphans: image files no index names and stray files in entry dirs, completed-but-uncommitted
   * `.blob` downloads, and `.part` files untouched for a week. Image and download files are only removed
   * under their lock (`tryLock` gives a release function, or `undefined` when busy).
   */
  async sweep(tryLock: (sha256: string) => Promise<(() => Promise<void>) | undefined>): Promise<string[]> {
    const removed: string[] = [];
    const remove = async (path: string, sha?: string) => {
      const release = sha ? await tryLock(sha) : async () => {};
      if (!release) return;
      try {
        await unlink(path);
        removed.push(path);
      } catch {
        // gone already
      } finally {
        await release();
      }
    };
    for (const { dir, entry } of await this.#walk()) {
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        if (name === "index.json" || (entry && name === `${entry.sha256}.img`)) continue;
        if (entry && name === `${entry.sha256}.img.cidx-local`) continue; // its cached chunk list (device/delta)
        if (name.startsWith(".index.json.tmp-") && await young(join(dir, name))) continue; // being written
        await remove(join(dir, name), /^([0-9a-f]{64})\.img$/.exec(name)?.[1]);
      }
    }
    for (const name of await readdir(this.partials).catch(() => [] as string[])) {
      const m = /^([0-9a-f]{64})\.(blob|part)$/.exec(name);
      if (!m) continue;
      if (m[2] === "part" && await young(join(this.partials, name), 7 * 24 * 3600_000)) continue; // resumable
      await remove(join(this.partials, name), m[1]);
    }
    return removed;
  }

  async clean(): Promise<number> {
    const before = await this.list();
    await rm(join(this.dir, "images"), { recursive: true, force: true });
    await rm(this.partials, { recursive: true, force: true });
    return before.length;
  }
}

async function young(path: string, ms = 10 * 60_000): Promise<boolean> {
  const st = await stat(path).catch(() => undefined);
  return !!st && Date.now() - st.mtimeMs < ms;
}
