/**
 * Private to device/delta: what a seed without a usable in-place chunk list gives. `scanSeed`
 * chunks a seed with the index's parameters (gunzipped first when it is gzip), stores each chunk
 * the index wants and the chunk dir lacks (by the sha256 of its bytes) and caches the seed's chunk
 * list. `spillGzipSeed` takes a gzip seed whose list is cached: it cuts the gunzipped stream at the
 * cached boundaries and writes the wanted chunks one after another into one spill file, to be read
 * in place (and re-hashed) when reassembling. A damaged seed costs only its damaged chunks.
 */
import { open } from "node:fs/promises";
import { getAbilities } from "../../core/abilities.ts";
import { ChunkDigestStream, type ChunkerParams, ChunkStream, type SeedChunk } from "../../core/delta/mod.ts";
import { CoalescingWriter, fileStream } from "../fs/file_streams.ts";
import type { ChunkDir } from "./_chunk_dir.ts";
import { isGzip, type SeedIndex, writeSeedIndex } from "./seed_index.ts";

/** Adds to `have` (and `dir`) the wanted chunks found in `seed`; a seed that cannot be read adds nothing. */
export async function scanSeed(
  seed: string,
  o: { chunker: ChunkerParams; wanted: Set<string>; have: Set<string>; dir: ChunkDir },
): Promise<void> {
  try {
    const gzip = await isGzip(seed);
    let bytes = fileStream(seed);
    if (gzip) bytes = bytes.pipeThrough(getAbilities().createGunzip());
    const chunks: SeedChunk[] = [];
    for await (
      const c of bytes.pipeThrough(new ChunkStream(o.chunker)).pipeThrough(new ChunkDigestStream())
    ) {
      chunks.push({ sha256: c.sha256, offset: c.offset, length: c.bytes.length });
      if (!o.wanted.has(c.sha256) || o.have.has(c.sha256)) continue;
      await o.dir.put(c.sha256, c.bytes);
      o.have.add(c.sha256);
    }
    await writeSeedIndex(seed, { chunker: o.chunker, index: { gzip, chunks } }).catch(() => {});
  } catch {
    // a damaged seed (bad gzip, unreadable): what was found so far stays, the rest is fetched
  }
}

/**
 * Writes the chunks of gzip `seed` that `take` selects into `spill`; resolves where each landed
 * (sha256 → offset in `spill`). Not verified here: the reader re-hashes every chunk.
 */
export async function spillGzipSeed(
  seed: string,
  o: { index: SeedIndex; take: (sha256: string) => boolean; spill: string },
): Promise<Map<string, number>> {
  const at = new Map<string, number>();
  const fh = await open(o.spill, "w");
  const reader = fileStream(seed).pipeThrough(getAbilities().createGunzip()).getReader();
  try {
    const out = new CoalescingWriter(fh);
    const chunks = o.index.chunks;
    let written = 0;
    let i = 0; // the cached chunk being cut
    let filled = 0;
    let taking = chunks.length > 0 && o.take(chunks[0]!.sha256);
    for (let r = await reader.read(); !r.done && i < chunks.length; r = await reader.read()) {
      for (let pos = 0; pos < r.value.length && i < chunks.length;) {
        const c = chunks[i]!;
        const n = Math.min(c.length - filled, r.value.length - pos);
        if (taking) await out.push(r.value.subarray(pos, pos + n));
        filled += n;
        pos += n;
        if (filled < c.length) continue;
        if (taking) {
          at.set(c.sha256, written);
          written += c.length;
        }
        i++;
        filled = 0;
        const next = chunks[i];
        taking = next !== undefined && !at.has(next.sha256) && o.take(next.sha256);
      }
    }
    await out.flush();
  } catch {
    // a damaged gzip stream: the chunks cut before it stay, the rest is fetched
  } finally {
    await reader.cancel().catch(() => {});
    await fh.close();
  }
  return at;
}
