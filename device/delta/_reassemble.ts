/**
 * Private to device/delta: the chunks of a prepared delta in index order, each hashed and checked
 * against the index before it is given: from its seed, else from the chunk log, waiting for the pack
 * ranges fetched meanwhile; up to 4 MiB are read ahead, so the seeds are read while a chunk still
 * being fetched is waited for. A chunk that neither gives (a seed whose list lied, a damaged seed or
 * record) is fetched on its own from the pack there and then, and the lying seed's cached list is
 * dropped: a stale or lying list costs fetches, never changes what is given. A failed fetch ends
 * the chunks with its error (an `IntegrityError` for a hostile server).
 */
import { createHash } from "node:crypto";
import type { IndexChunk } from "../../core/delta/mod.ts";
import { IntegrityError } from "../../core/errors.ts";
import type { FetchPolicy } from "../net/fetch.ts";
import { fetchRanges } from "./_fetch_ranges.ts";
import type { Prepared } from "./_prepare.ts";
import { dropSeedIndex } from "./seed_index.ts";

const sha256Of = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
/** Bytes of chunks read ahead of the one being given. */
const AHEAD = 4 * 2 ** 20;

/** Yields the verified chunks of `p` in order (see the module doc); `onFetched` counts pack bytes. */
export async function* reassemble(
  p: Prepared,
  o: { pack: URL; policy: FetchPolicy; onFetched?: (bytes: number) => void },
): AsyncGenerator<Uint8Array, void, undefined> {
  const { log } = p;
  const stop = new AbortController();
  let failure: unknown;
  log.reopen();
  const fetching = fetchRanges(o.pack, p.plan.fetches, { ...o, log, signal: stop.signal })
    .catch((error) => void (failure = error))
    .finally(() => log.settle());
  const dropped = new Set<string>();
  /** `c` fetched on its own (its pack entry), after a seed or the log failed to give it. */
  const repair = async (c: IndexChunk) => {
    if (failure) throw failure;
    await fetchRanges(o.pack, [{ offset: c.packOffset, length: c.packLength, entries: [c] }], { ...o, log });
    const bytes = await log.get(c.sha256);
    if (!bytes) throw new IntegrityError(`Cannot reassemble: chunk ${c.sha256} keeps failing its sha256`);
    return bytes;
  };
  /** A chunk from its seed (reads of one seed in order) or the log; `undefined` when neither gives it. */
  const reading = new Map<unknown, Promise<unknown>>();
  const get = (c: IndexChunk): Promise<Uint8Array | undefined> => {
    const copy = p.from.get(c.sha256);
    if (!copy) return log.wait(c.sha256).then((held) => (held ? log.get(c.sha256) : undefined));
    const got = (reading.get(copy.seed) ?? Promise.resolve()).then(async () => {
      const bytes = await copy.seed.read({ sha256: c.sha256, offset: copy.offset, length: c.length });
      if (bytes && sha256Of(bytes) === c.sha256) return bytes;
      if (!dropped.has(copy.seed.path)) {
        dropped.add(copy.seed.path);
        await dropSeedIndex(copy.seed.path);
      }
      return undefined;
    });
    reading.set(copy.seed, got.catch(() => {}));
    return got;
  };
  // read ahead (up to AHEAD bytes): the seeds are read while a fetched chunk is waited for
  const ahead: { c: IndexChunk; got: Promise<Uint8Array | undefined> }[] = [];
  let next = 0;
  let bytesAhead = 0;
  try {
    while (next < p.index.chunks.length || ahead.length) {
      while (next < p.index.chunks.length && (!ahead.length || bytesAhead < AHEAD)) {
        const c = p.index.chunks[next++]!;
        const got = get(c);
        got.catch(() => {}); // awaited in turn
        ahead.push({ c, got });
        bytesAhead += c.length;
      }
      const { c, got } = ahead.shift()!;
      bytesAhead -= c.length;
      yield (await got) ?? await repair(c);
    }
    await fetching;
    if (failure) throw failure;
  } finally {
    stop.abort();
    await fetching;
    await Promise.allSettled(ahead.map((a) => a.got));
    await p.close();
  }
}
