/**
 * Private to device/delta: a seed without a usable chunk list (none cached, no signed index of its
 * release, or a list that lied) is chunked with the index's parameters (gunzipped first when it is
 * gzip): each chunk the index wants and the log lacks is stored in the chunk log (by the sha256 of
 * its bytes), and the seed's list is cached for the next delta. A damaged seed costs only its
 * damaged chunks (a gzip seed: what follows the damage).
 */
import { ChunkDigestStream, type ChunkerParams, ChunkStream, type SeedChunk } from "../../core/delta/mod.ts";
import type { ChunkLog } from "./_chunk_log.ts";
import { uncompressed } from "./_seed_source.ts";
import { isGzip, writeSeedIndex } from "./seed_index.ts";

/** Adds to `log` the wanted chunks found in `seed`; a seed that cannot be read adds nothing. */
export async function scanSeed(
  seed: string,
  o: { chunker: ChunkerParams; wanted: Set<string>; log: ChunkLog },
): Promise<void> {
  let source: ReturnType<typeof uncompressed> | undefined;
  try {
    const gzip = await isGzip(seed);
    source = uncompressed(seed, gzip);
    const have = o.log.list();
    const chunks: SeedChunk[] = [];
    for await (
      const c of ReadableStream.from(source).pipeThrough(new ChunkStream(o.chunker))
        .pipeThrough(new ChunkDigestStream())
    ) {
      chunks.push({ sha256: c.sha256, offset: c.offset, length: c.bytes.length });
      if (!o.wanted.has(c.sha256) || have.has(c.sha256)) continue;
      await o.log.put(c.sha256, c.bytes);
      have.add(c.sha256);
    }
    await writeSeedIndex(seed, { chunker: o.chunker, index: { gzip, chunks, source: "chunked" } }).catch(
      () => {},
    );
  } catch {
    // a damaged seed (bad gzip, unreadable): what was found so far stays, the rest is fetched
  } finally {
    source?.destroy();
  }
}
