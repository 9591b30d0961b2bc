/**
 * Downloads a release by delta (DESIGN §10): fetch the signed chunk index (checked against the
 * length and sha256 in the release's signed `custom.delta`), plan from the seeds' chunk lists
 * (cached, or the signed index of the release a seed is, or by chunking the seed), then fetch the
 * missing chunks by Range from the pack (each verified) while reassembling the uncompressed stream
 * in order into `<downloads>/<key>.tar`, every chunk hashed before use, the whole verified against
 * the index's sha256 and length before it gets its name. Fetched chunks land in the chunk log in
 * `<downloads>/<key>.chunks/` first, so a killed run resumes where it stopped. With `defer`, the
 * plan is recorded there, the pack's first byte asked for meanwhile (a pack the server lacks or
 * does not serve by range shows now, not mid-install): the install streams the reassembly into the
 * extractor (`deferred_delta.ts`). Resolves `undefined` (the caller downloads the artifact in full) when there
 * is no seed or the delta would fetch more than `maxShare` of the artifact; throws `NotFoundError` (the
 * caller downloads in full too) when the server lacks the index or pack, or does not serve the pack by
 * range (`RangeIgnoredError`, at the probe or at any range: the chunk log is removed).
 *
 * @example
 * ```ts ignore
 * import { downloadDelta } from "./delta_download.ts";
 * const r = await downloadDelta(ws.downloads, { key, delta, seeds, fullLength: 1234, policy: {} });
 * if (r) console.log(r.tar, r.fetched, r.saved);
 * ```
 * @module
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { DeltaLink } from "../../core/delta/mod.ts";
import type { FetchPolicy } from "../net/fetch.ts";
import { assemble } from "./_assemble.ts";
import { writeDeferred } from "./_deferred_state.ts";
import { fetchIndex } from "./_fetch_index.ts";
import { probePack } from "./_fetch_ranges.ts";
import { prepare } from "./_prepare.ts";
import { reassemble } from "./_reassemble.ts";
import { RangeIgnoredError } from "./range_ignored_error.ts";

/** A release's delta: the signed link and where its index and pack are. */
export interface DeltaSource {
  link: DeltaLink;
  index: URL;
  pack: URL;
}

/** A seed, and the chunked form of the release it is when known (its signed index lists its chunks). */
export interface SeedFile {
  path: string;
  release?: DeltaSource;
}

/** What a delta download produced. */
export interface DeltaResult {
  /** `<downloads>/<key>.tar`: the verified uncompressed stream (not written yet when `deferred`). */
  tar: string;
  sha256: string;
  length: number;
  /** Bytes fetched (index and pack ranges; `deferred`: to fetch) and saved beside the full artifact. */
  fetched: number;
  saved: number;
  /** Planned only: the install streams it (`deferred_delta.ts`). */
  deferred?: boolean;
}

/** Options of {@linkcode downloadDelta}. */
export interface DeltaOptions {
  key: string;
  delta: DeltaSource;
  /** Files holding earlier versions (paths, or with their release's chunked form); the first listed wins. */
  seeds: (string | SeedFile)[];
  /** Length of the full artifact (the share and the savings are of it). */
  fullLength: number;
  policy: FetchPolicy;
  /** Fall back to the full artifact when the pack ranges exceed this share of it (default 0.5). */
  maxShare?: number;
  /** Plan only, and record the plan for the install to stream (`deferred_delta.ts`). */
  defer?: boolean;
  /** Told before fetching (`total` pack bytes) and as ranges arrive. */
  onProgress?: (bytes: number, total: number) => void;
}

/** See the module doc. */
export async function downloadDelta(downloads: string, o: DeltaOptions): Promise<DeltaResult | undefined> {
  const tar = join(downloads, `${o.key}.tar`);
  const dir = join(downloads, `${o.key}.chunks`);
  const seeds = o.seeds.map((s) => (typeof s === "string" ? { path: s } : s));
  const resuming = ((await stat(join(dir, "chunks")).catch(() => undefined))?.size ?? 0) > 0;
  const done = await stat(tar).catch(() => undefined);
  if (!seeds.length && !resuming && !done) return undefined;
  const { link } = o.delta;
  const result = (sha256: string, length: number, fetched: number, deferred = false): DeltaResult => ({
    tar,
    sha256,
    length,
    fetched,
    saved: Math.max(0, o.fullLength - fetched),
    ...(deferred ? { deferred } : {}),
  });
  if (done) {
    const index = await fetchIndex(o.delta.index, {
      link,
      policy: o.policy,
      keep: join(downloads, `${o.key}.cidx`),
    });
    if (done.size === index.length) return result(index.sha256, index.length, link.indexLength);
  }
  // deferred: is the pack there, served by range? (asked meanwhile: not found mid-install, but now)
  const probing = o.defer && link.packLength > 0 ? probePack(o.delta.pack, o.policy) : undefined;
  probing?.catch(() => {});
  const p = await prepare(downloads, { key: o.key, link, index: o.delta.index, seeds, policy: o.policy });
  const { index, plan, log } = p;
  if (plan.fetchBytes > (o.maxShare ?? 0.5) * o.fullLength) {
    await p.close();
    await log.remove();
    return undefined;
  }
  if (o.defer) {
    await p.close();
    try {
      if (plan.fetches.length) await probing;
      await writeDeferred(log.dir, o.delta);
    } catch (error) {
      await log.remove();
      throw error;
    }
    await log.close();
    return result(index.sha256, index.length, link.indexLength + plan.fetchBytes, true);
  }
  let fetched = link.indexLength;
  let got = 0;
  o.onProgress?.(0, plan.fetchBytes);
  const chunks = reassemble(p, {
    pack: o.delta.pack,
    policy: o.policy,
    onFetched: (n) => {
      fetched += n;
      o.onProgress?.(got += n, plan.fetchBytes);
    },
  });
  try {
    await assemble(downloads, { key: o.key, index, dir: log.dir, chunks });
  } catch (error) {
    // no delta from a server that ignores Range: nothing of it is kept (a transient failure resumes)
    if (error instanceof RangeIgnoredError) await log.remove();
    else await log.close();
    throw error;
  }
  await log.remove();
  return result(index.sha256, index.length, fetched);
}
