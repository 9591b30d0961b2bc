/**
 * Private to device/delta: writes an index's chunks in order to `<key>.tar`, verified against the
 * index's sha256 and length before it gets its name. A chunk comes from the chunk dir (fetched or
 * taken from a seed scanned) or straight from a raw seed (or a gzip seed's spill file) by a positioned read;
 * either way it is hashed before use. Writes go through one coalescing 1 MiB buffer.
 */
import { createHash } from "node:crypto";
import { type FileHandle, open, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { ChunkIndex } from "../../core/delta/mod.ts";
import { IntegrityError } from "../../core/errors.ts";
import { fsyncDir } from "../fs/atomic_file.ts";
import { CoalescingWriter } from "../fs/file_streams.ts";
import type { ChunkDir } from "./_chunk_dir.ts";
import { writeSeedIndex } from "./seed_index.ts";

/** Where a raw seed (or the spill of a gzip seed, `origin`) holds a chunk. */
export interface SeedCopy {
  seed: string;
  offset: number;
  /** The seed whose cached chunk list placed it (when `seed` is a spill file). */
  origin?: string;
}

/** What {@linkcode assemble} could not use: chunks to fetch, and seeds whose cached list lied. */
export interface AssembleMisses {
  chunks: string[];
  seeds: Set<string>;
}

const sha256Of = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** Reads chunks from raw seeds, one open handle per seed. */
class SeedReader {
  #handles = new Map<string, Promise<FileHandle>>();

  async read(copy: SeedCopy, length: number): Promise<Uint8Array | undefined> {
    let fh = this.#handles.get(copy.seed);
    if (!fh) this.#handles.set(copy.seed, fh = open(copy.seed, "r"));
    const bytes = new Uint8Array(length);
    const { bytesRead } = await (await fh).read(bytes, 0, length, copy.offset);
    return bytesRead === length ? bytes : undefined;
  }

  async close(): Promise<void> {
    for (const fh of this.#handles.values()) await fh.then((h) => h.close(), () => {});
  }
}

/** Reassembles `<downloads>/<key>.tar`; resolves what it missed (nothing written then). */
export async function assemble(
  downloads: string,
  o: { key: string; index: ChunkIndex; dir: ChunkDir; copies: Map<string, SeedCopy> },
): Promise<AssembleMisses> {
  const { index, dir } = o;
  const tar = join(downloads, `${o.key}.tar`);
  const part = join(dir.dir, ".tar.part"); // goes with the chunk dir
  const whole = createHash("sha256");
  const misses: AssembleMisses = { chunks: [], seeds: new Set() };
  const seeds = new SeedReader();
  let length = 0;
  const fh = await open(part, "w");
  try {
    const out = new CoalescingWriter(fh);
    for (const c of index.chunks) {
      const copy = o.copies.get(c.sha256);
      let bytes = copy ? await seeds.read(copy, c.length).catch(() => undefined) : await dir.get(c.sha256);
      if (copy && bytes && sha256Of(bytes) !== c.sha256) bytes = undefined;
      if (!bytes) {
        if (copy) misses.seeds.add(copy.origin ?? copy.seed);
        misses.chunks.push(c.sha256);
        continue;
      }
      if (misses.chunks.length) continue;
      whole.update(bytes);
      length += bytes.length;
      await out.push(bytes);
    }
    await out.flush();
    if (!misses.chunks.length) await fh.sync();
  } finally {
    await fh.close();
    await seeds.close();
  }
  if (misses.chunks.length) {
    await rm(part, { force: true });
    return misses;
  }
  if (length !== index.length || whole.digest("hex") !== index.sha256) {
    await rm(part, { force: true });
    throw new IntegrityError(`Cannot verify the reassembled ${o.key}: sha256 or length mismatch`);
  }
  await rename(part, tar);
  await fsyncDir(dirname(tar));
  // the tar becomes the app's seed once installed: its chunk list is the index's
  await writeSeedIndex(tar, { chunker: index.chunker, index: { gzip: false, chunks: index.chunks } })
    .catch(() => {});
  return misses;
}
