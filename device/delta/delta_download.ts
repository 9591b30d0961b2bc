/**
 * Downloads a release by delta (DESIGN §10): fetch the signed chunk index (checked against the
 * length and sha256 in the release's signed `custom.delta`), take every chunk the seeds hold
 * (re-hashed), fetch the others by Range from the pack (each verified), then reassemble the
 * uncompressed stream into `<downloads>/<key>.tar`, verified against the index's sha256 and length
 * before it gets its name. Chunks land in `<downloads>/<key>.chunks/` first, so a killed run
 * resumes where it stopped. Resolves `undefined` (the caller downloads the artifact in full) when
 * there is no seed or the delta would fetch more than `maxShare` of the artifact.
 *
 * @example
 * ```ts ignore
 * import { downloadDelta } from "./delta_download.ts";
 * const r = await downloadDelta(ws.downloads, { key, delta, seeds, fullLength: 1234, policy: {} });
 * if (r) console.log(r.tar, r.fetched, r.saved);
 * ```
 * @module
 */
import { createHash } from "node:crypto";
import { open, stat } from "node:fs/promises";
import { join } from "node:path";
import { type ChunkIndex, decodeChunkIndex, type DeltaLink, planDelta } from "../../core/delta/mod.ts";
import { IntegrityError } from "../../core/errors.ts";
import { writeFileAtomic } from "../fs/atomic_file.ts";
import { fetchBytes, type FetchPolicy } from "../net/fetch.ts";
import { ChunkDir } from "./_chunk_dir.ts";
import { fetchRanges } from "./_fetch_ranges.ts";
import { scanSeed, spillGzipSeed } from "./_scan_seed.ts";
import { assemble, type SeedCopy } from "./_assemble.ts";
import { dropSeedIndex, readSeedIndex } from "./seed_index.ts";

/** A release's delta: the signed link and where its index and pack are. */
export interface DeltaSource {
  link: DeltaLink;
  index: URL;
  pack: URL;
}

/** What a delta download produced. */
export interface DeltaResult {
  /** `<downloads>/<key>.tar`: the verified uncompressed stream. */
  tar: string;
  sha256: string;
  length: number;
  /** Bytes fetched (index and pack ranges) and saved beside the full artifact. */
  fetched: number;
  saved: number;
}

/** Options of {@linkcode downloadDelta}. */
export interface DeltaOptions {
  key: string;
  delta: DeltaSource;
  seeds: string[];
  /** Length of the full artifact (the share and the savings are of it). */
  fullLength: number;
  policy: FetchPolicy;
  /** Fall back to the full artifact when the pack ranges exceed this share of it (default 0.5). */
  maxShare?: number;
  /** Told before fetching (`total` pack bytes) and as ranges arrive. */
  onProgress?: (bytes: number, total: number) => void;
}

async function fetchIndex(downloads: string, o: DeltaOptions): Promise<ChunkIndex> {
  const { link, index: url } = o.delta;
  const path = join(downloads, `${o.key}.cidx`);
  const check = (bytes: Uint8Array | undefined) =>
    bytes?.length === link.indexLength &&
    createHash("sha256").update(bytes).digest("hex") === link.indexSha256;
  let bytes: Uint8Array | undefined = await open(path, "r").then((h) => h.readFile().finally(() => h.close()))
    .catch(() => undefined);
  if (!check(bytes)) {
    bytes = await fetchBytes(url, { ...o.policy, maxLength: link.indexLength });
    if (!check(bytes)) {
      throw new IntegrityError(`Cannot verify chunk index ${url}: length or sha256 mismatch`);
    }
    await writeFileAtomic(path, bytes!);
  }
  let index: ChunkIndex;
  try {
    index = decodeChunkIndex(bytes!);
  } catch (e) {
    throw new IntegrityError(`Cannot use chunk index ${url}: ${(e as Error).message}`, { cause: e });
  }
  if (
    index.packLength !== link.packLength || JSON.stringify(index.chunker) !== JSON.stringify(link.chunker)
  ) {
    throw new IntegrityError(`Cannot use chunk index ${url}: it disagrees with the signed delta link`);
  }
  return index;
}

/**
 * Where the wanted chunks not in `dir` are in the seeds: raw seeds with a current cached chunk
 * list are read in place when reassembling; any other seed is scanned into `dir` (and its list cached).
 */
async function seedCopies(
  seeds: string[],
  o: { index: ChunkIndex; wanted: Set<string>; have: Set<string>; dir: ChunkDir },
): Promise<Map<string, SeedCopy>> {
  const copies = new Map<string, SeedCopy>();
  const take = (sha256: string) => o.wanted.has(sha256) && !o.have.has(sha256) && !copies.has(sha256);
  for (const [n, seed] of seeds.entries()) {
    const cached = await readSeedIndex(seed, o.index.chunker);
    if (cached && !cached.gzip) {
      for (const c of cached.chunks) if (take(c.sha256)) copies.set(c.sha256, { seed, offset: c.offset });
    } else if (cached) {
      const spill = join(o.dir.dir, `.seed-${n}`); // goes with the chunk dir
      const at = await spillGzipSeed(seed, { index: cached, take, spill });
      for (const [sha256, offset] of at) copies.set(sha256, { seed: spill, offset, origin: seed });
    } else {
      await scanSeed(seed, { chunker: o.index.chunker, wanted: o.wanted, have: o.have, dir: o.dir });
    }
  }
  return copies;
}

/** See the module doc. */
export async function downloadDelta(downloads: string, o: DeltaOptions): Promise<DeltaResult | undefined> {
  const tar = join(downloads, `${o.key}.tar`);
  const dir = new ChunkDir(join(downloads, `${o.key}.chunks`));
  const resuming = (await dir.list()).size > 0;
  if (!o.seeds.length && !resuming && !(await stat(tar).catch(() => undefined))) {
    await dir.remove();
    return undefined;
  }
  const index = await fetchIndex(downloads, o);
  const result = (fetched: number): DeltaResult => ({
    tar,
    sha256: index.sha256,
    length: index.length,
    fetched,
    saved: Math.max(0, o.fullLength - fetched),
  });
  if ((await stat(tar).catch(() => undefined))?.size === index.length) {
    return result(o.delta.link.indexLength);
  }
  const wanted = new Set(index.chunks.map((c) => c.sha256));
  const lengths = new Map(index.chunks.map((c) => [c.sha256, c.length]));
  let fetched = o.delta.link.indexLength;
  for (let round = 0; round < 2; round++) {
    const have = await dir.list();
    const copies = await seedCopies(o.seeds, { index, wanted, have, dir });
    const held = [...have, ...copies.keys()];
    const plan = planDelta(
      index,
      held.map((sha256) => ({ sha256, offset: 0, length: lengths.get(sha256) ?? -1 })),
    );
    if (round === 0 && plan.fetchBytes > (o.maxShare ?? 0.5) * o.fullLength) {
      await dir.remove();
      return undefined;
    }
    let done = 0;
    o.onProgress?.(0, plan.fetchBytes);
    await fetchRanges(o.delta.pack, plan.fetches, {
      policy: o.policy,
      dir,
      onFetched: (n) => o.onProgress?.(done += n, plan.fetchBytes),
    });
    fetched += plan.fetchBytes;
    const misses = await assemble(downloads, { key: o.key, index, dir, copies });
    if (misses.chunks.length === 0) {
      await dir.remove();
      return result(fetched);
    }
    // a chunk damaged on disk since it was stored, or a seed whose cached list lied: fetched once more
    // (such a seed is chunked afresh next round: its good chunks still count)
    for (const seed of misses.seeds) await dropSeedIndex(seed);
  }
  throw new IntegrityError(`Cannot reassemble ${o.key}: stored chunks keep failing their sha256`);
}
