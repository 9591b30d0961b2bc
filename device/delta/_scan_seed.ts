/**
 * Private to device/delta: stores in the chunk dir each chunk of a seed the index wants and the
 * dir lacks. The seed's chunk list comes from its cache (`seed_index.ts`) when it is current, else
 * the seed is chunked with the index's parameters (gunzipped first when it is gzip) and the list
 * is cached. A chunk counts only by the sha256 of its bytes, so a damaged seed (or a stale cache)
 * costs only its damaged chunks (they are fetched); a cache that lied is dropped.
 */
import { open } from "node:fs/promises";
import { createHash } from "node:crypto";
import { getAbilities } from "../../core/abilities.ts";
import { ChunkDigestStream, type ChunkerParams, ChunkStream, type SeedChunk } from "../../core/delta/mod.ts";
import { fileStream } from "../fs/file_streams.ts";
import type { ChunkDir } from "./_chunk_dir.ts";
import { dropSeedIndex, isGzip, readSeedIndex, type SeedIndex, writeSeedIndex } from "./seed_index.ts";

interface ScanOptions {
  chunker: ChunkerParams;
  wanted: Set<string>;
  have: Set<string>;
  dir: ChunkDir;
}

const sha256Of = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** Chunks all of the seed, storing the wanted chunks, and caches its chunk list. */
async function chunkSeed(seed: string, o: ScanOptions): Promise<void> {
  const gzip = await isGzip(seed);
  let bytes = fileStream(seed);
  if (gzip) bytes = bytes.pipeThrough(getAbilities().createGunzip());
  const chunks: SeedChunk[] = [];
  for await (const c of bytes.pipeThrough(new ChunkStream(o.chunker)).pipeThrough(new ChunkDigestStream())) {
    chunks.push({ sha256: c.sha256, offset: c.offset, length: c.bytes.length });
    if (!o.wanted.has(c.sha256) || o.have.has(c.sha256)) continue;
    await o.dir.put(c.sha256, c.bytes);
    o.have.add(c.sha256);
  }
  await writeSeedIndex(seed, { chunker: o.chunker, index: { gzip, chunks } }).catch(() => {});
}

/** Stores `bytes` when they hash to `c.sha256`; false when they do not. */
async function take(c: SeedChunk, bytes: Uint8Array, o: ScanOptions): Promise<boolean> {
  if (sha256Of(bytes) !== c.sha256) return false;
  await o.dir.put(c.sha256, bytes);
  o.have.add(c.sha256);
  return true;
}

/** Takes the wanted chunks of a raw seed by positioned reads of the cached list's offsets. */
async function readRaw(seed: string, list: SeedChunk[], o: ScanOptions): Promise<boolean> {
  const fh = await open(seed, "r");
  let ok = true;
  try {
    for (const c of list) {
      if (o.have.has(c.sha256)) continue;
      const bytes = new Uint8Array(c.length);
      const { bytesRead } = await fh.read(bytes, 0, c.length, c.offset);
      if (bytesRead !== c.length || !(await take(c, bytes, o))) ok = false;
    }
  } finally {
    await fh.close();
  }
  return ok;
}

/** Takes the wanted chunks of a gzip seed, cutting its gunzipped stream at the cached boundaries. */
async function readGzip(seed: string, index: SeedIndex, o: ScanOptions): Promise<boolean> {
  const reader = fileStream(seed).pipeThrough(getAbilities().createGunzip()).getReader();
  let ok = true;
  let i = 0; // cached chunk being filled
  let filled = 0;
  let current: Uint8Array | undefined;
  const wantedAt = (k: number) => {
    const c = index.chunks[k];
    return c && o.wanted.has(c.sha256) && !o.have.has(c.sha256) ? new Uint8Array(c.length) : undefined;
  };
  current = wantedAt(0);
  try {
    for (let r = await reader.read(); !r.done && i < index.chunks.length; r = await reader.read()) {
      for (let at = 0; at < r.value.length && i < index.chunks.length;) {
        const c = index.chunks[i]!;
        const n = Math.min(c.length - filled, r.value.length - at);
        current?.set(r.value.subarray(at, at + n), filled);
        filled += n;
        at += n;
        if (filled < c.length) continue;
        if (current && !(await take(c, current, o))) ok = false;
        i++;
        filled = 0;
        current = wantedAt(i);
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return ok && i === index.chunks.length;
}

/** Adds to `have` (and `dir`) the wanted chunks found in `seed`; a seed that cannot be read adds nothing. */
export async function scanSeed(seed: string, options: ScanOptions): Promise<void> {
  const { wanted, have } = options;
  try {
    if ([...wanted].every((s) => have.has(s))) return;
    const index = await readSeedIndex(seed, options.chunker);
    if (!index) return await chunkSeed(seed, options);
    const ok = index.gzip
      ? await readGzip(seed, index, options)
      : await readRaw(seed, index.chunks.filter((c) => wanted.has(c.sha256) && !have.has(c.sha256)), options);
    if (!ok) await dropSeedIndex(seed);
  } catch {
    // a damaged seed (bad gzip, unreadable): what was found so far stays, the rest is fetched
  }
}
