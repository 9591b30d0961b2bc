/**
 * Private to device/delta: the chunk list of a seed, without reading the seed when it can be had
 * otherwise: the list cached beside it (`seed_index.ts`), else the signed chunk index of the release
 * the seed is (a seed kept by a full install is that release's `.tar.gz`, whose gunzipped stream is
 * exactly what the index lists), fetched and checked against the signed length and sha256, then
 * cached. `undefined` (the seed is chunked instead) when neither serves. Either is only a hint:
 * every chunk read by it is hashed before use.
 */
import { stat } from "node:fs/promises";
import type { ChunkerParams, DeltaLink } from "../../core/delta/mod.ts";
import type { FetchPolicy } from "../net/fetch.ts";
import { fetchIndex } from "./_fetch_index.ts";
import { isGzip, readSeedIndex, type SeedIndex, writeSeedIndex } from "./seed_index.ts";

const sameChunker = (a: ChunkerParams, b: ChunkerParams) => JSON.stringify(a) === JSON.stringify(b);

/** The list of `seed` for `chunker` (see the module doc). */
export async function seedList(
  seed: string,
  o: { chunker: ChunkerParams; release?: { link: DeltaLink; index: URL }; policy: FetchPolicy },
): Promise<SeedIndex | undefined> {
  const cached = await readSeedIndex(seed, o.chunker);
  if (cached || !o.release || !sameChunker(o.release.link.chunker, o.chunker)) return cached;
  try {
    const index = await fetchIndex(o.release.index, { link: o.release.link, policy: o.policy });
    const gzip = await isGzip(seed);
    // a raw seed is the stream itself: a list of another length is not its
    if (!gzip && (await stat(seed)).size !== index.length) return undefined;
    const list: SeedIndex = {
      gzip,
      chunks: index.chunks.map((c) => ({ sha256: c.sha256, offset: c.offset, length: c.length })),
      source: "index",
    };
    await writeSeedIndex(seed, { chunker: o.chunker, index: list }).catch(() => {});
    return list;
  } catch {
    return undefined; // no index (or a bad one): the seed is chunked
  }
}
