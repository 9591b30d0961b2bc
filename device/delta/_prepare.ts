/**
 * Private to device/delta: everything a delta decides before a byte of the pack is fetched. The
 * signed chunk index (kept as `<downloads>/<key>.cidx` for a resumed run) and the seeds' chunk lists
 * (cached, else the signed index of the release a seed is, fetched meanwhile; a seed with neither is
 * chunked now, its wanted chunks stored in the chunk log); which seed gives each chunk (raw seeds
 * first: read in place) and how often the index asks for it; the pack ranges to fetch for the rest.
 */
import { join } from "node:path";
import { type ChunkIndex, type DeltaLink, type DeltaPlan, planDelta } from "../../core/delta/mod.ts";
import type { FetchPolicy } from "../net/fetch.ts";
import { ChunkLog } from "./_chunk_log.ts";
import { fetchIndex } from "./_fetch_index.ts";
import { scanSeed } from "./_scan_seed.ts";
import { seedList } from "./_seed_list.ts";
import { SeedSource } from "./_seed_source.ts";
import type { SeedIndex } from "./seed_index.ts";

/** A seed, and the chunked form of the release it is when known (its signed index lists its chunks). */
export interface SeedRef {
  path: string;
  release?: { link: DeltaLink; index: URL };
}

/** A delta ready to be fetched and reassembled. */
export interface Prepared {
  index: ChunkIndex;
  /** The chunk log in `<downloads>/<key>.chunks/` (what an earlier run fetched is in it). */
  log: ChunkLog;
  /** The seed each copied chunk is read from, and where it is there. */
  from: Map<string, { seed: SeedSource; offset: number }>;
  sources: SeedSource[];
  plan: DeltaPlan;
  /** Closes the seeds (the log stays open). */
  close(): Promise<void>;
}

/** Which seed gives each wanted chunk the log lacks, with the number of times the index asks for it. */
function assign(listed: { path: string; list: SeedIndex }[], o: { index: ChunkIndex; log: ChunkLog }) {
  const lengths = new Map(o.index.chunks.map((c) => [c.sha256, c.length]));
  const have = o.log.list();
  const from = new Map<string, { seed: SeedSource; offset: number }>();
  const sources: SeedSource[] = [];
  const ordered = [...listed].sort((a, b) => Number(a.list.gzip) - Number(b.list.gzip));
  for (const [n, { path, list }] of ordered.entries()) {
    const uses = new Map<string, number>();
    const spill = join(o.log.dir, `.seed-${n}`);
    const seed = new SeedSource(path, { gzip: list.gzip, list: list.chunks, uses, spill });
    for (const c of list.chunks) {
      if (lengths.get(c.sha256) !== c.length || have.has(c.sha256) || from.has(c.sha256)) continue;
      from.set(c.sha256, { seed, offset: c.offset });
    }
    for (const c of o.index.chunks) {
      if (from.get(c.sha256)?.seed === seed) uses.set(c.sha256, (uses.get(c.sha256) ?? 0) + 1);
    }
    if (uses.size) sources.push(seed);
  }
  return { from, sources, have, lengths };
}

/** Prepares the delta of `key` (see the module doc). */
export async function prepare(
  downloads: string,
  o: { key: string; link: DeltaLink; index: URL; seeds: SeedRef[]; policy: FetchPolicy },
): Promise<Prepared> {
  const { link } = o;
  // the seeds' lists (by the chunker the signed link names: the index must agree) while the index comes
  const lists = Promise.all(
    o.seeds.map((s) => seedList(s.path, { chunker: link.chunker, release: s.release, policy: o.policy })),
  );
  lists.catch(() => {});
  const index = await fetchIndex(o.index, { link, policy: o.policy, keep: join(downloads, `${o.key}.cidx`) });
  const found = await lists;
  const log = await ChunkLog.open(join(downloads, `${o.key}.chunks`));
  try {
    const wanted = new Set(index.chunks.map((c) => c.sha256));
    for (const [n, s] of o.seeds.entries()) {
      if (!found[n]) await scanSeed(s.path, { chunker: index.chunker, wanted, log });
    }
    const listed = o.seeds.flatMap((s, n) => (found[n] ? [{ path: s.path, list: found[n]! }] : []));
    const { from, sources, have, lengths } = assign(listed, { index, log });
    const plan = planDelta(
      index,
      [...have, ...from.keys()].map((sha256) => ({ sha256, offset: 0, length: lengths.get(sha256) ?? -1 })),
    );
    const close = async () => {
      for (const s of sources) await s.close();
    };
    return { index, log, from, sources, plan, close };
  } catch (error) {
    await log.close();
    throw error;
  }
}
