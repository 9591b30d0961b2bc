/**
 * The delta planner: given a chunk index and the chunks already held (a seed's chunk list), which
 * chunks are copied from where, and which byte ranges of the pack are fetched: one range per run
 * of adjacent pack entries (coalesced up to `maxRange` bytes), each needed pack entry once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planDelta } from "./plan_delta.ts";
 * const c = (sha: string, i: number) => ({ sha256: sha.repeat(64), offset: i * 10, length: 10, packOffset: i * 5, packLength: 5 });
 * const plan = planDelta({ chunks: [c("a", 0), c("b", 1), c("c", 2)] }, [{ sha256: "b".repeat(64), offset: 40, length: 10 }]);
 * assert.equal(plan.copies[0]?.seedOffset, 40);
 * assert.deepEqual(plan.fetches.map((f) => [f.offset, f.length]), [[0, 5], [10, 5]]);
 * ```
 * @module
 */
import type { ChunkIndex, IndexChunk } from "./chunk_index.ts";

/** A chunk a seed holds: sha256 of its bytes and where they are in the seed. */
export interface SeedChunk {
  sha256: string;
  offset: number;
  length: number;
}

/** One byte range of the pack and the index entries it carries (by pack offset). */
export interface PackRange {
  offset: number;
  length: number;
  entries: IndexChunk[];
}

/** What {@linkcode planDelta} decided. */
export interface DeltaPlan {
  /** Index chunks found in the seed, each with the seed chunk that holds its bytes. */
  copies: { chunk: IndexChunk; seedOffset: number }[];
  /** Coalesced pack ranges to fetch, ascending. */
  fetches: PackRange[];
  /** Index chunks (every occurrence) that come from the fetched ranges. */
  fetched: IndexChunk[];
  /** Pack bytes fetched, and uncompressed bytes copied from the seed. */
  fetchBytes: number;
  copyBytes: number;
}

/** Plans which chunks of `index` come from `seed` and which pack ranges to fetch. */
export function planDelta(
  index: Pick<ChunkIndex, "chunks">,
  seed: Iterable<SeedChunk>,
  options: { maxRange?: number } = {},
): DeltaPlan {
  const maxRange = options.maxRange ?? 8 * 2 ** 20;
  const held = new Map<string, SeedChunk>();
  for (const s of seed) if (!held.has(s.sha256)) held.set(s.sha256, s);
  const copies: DeltaPlan["copies"] = [];
  const fetched: IndexChunk[] = [];
  const entries = new Map<number, IndexChunk>(); // by pack offset: each pack entry once
  let copyBytes = 0;
  for (const chunk of index.chunks) {
    const s = held.get(chunk.sha256);
    if (s && s.length === chunk.length) {
      copies.push({ chunk, seedOffset: s.offset });
      copyBytes += chunk.length;
    } else {
      fetched.push(chunk);
      if (!entries.has(chunk.packOffset)) entries.set(chunk.packOffset, chunk);
    }
  }
  const fetches: PackRange[] = [];
  let fetchBytes = 0;
  for (const e of [...entries.values()].sort((a, b) => a.packOffset - b.packOffset)) {
    const last = fetches.at(-1);
    if (last && last.offset + last.length === e.packOffset && last.length + e.packLength <= maxRange) {
      last.length += e.packLength;
      last.entries.push(e);
    } else {
      fetches.push({ offset: e.packOffset, length: e.packLength, entries: [e] });
    }
    fetchBytes += e.packLength;
  }
  return { copies, fetches, fetched, fetchBytes, copyBytes };
}
