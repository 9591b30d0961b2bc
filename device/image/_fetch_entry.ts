/**
 * Private: fetching one resolved image into the cache, under the lock of its sha256 that the caller
 * holds. An intact entry already there (another process fetched it) is kept; a different or corrupt one
 * is dropped. The image comes by delta from the cached images of its device type when it has a chunked
 * form (its seed index moves along: the image is a seed of the next delta), else whole (resumable,
 * verified while it downloads), and is committed to the store.
 * @module
 */
import { joinUrl } from "../../core/url/mod.ts";
import { moveSeedIndex } from "../delta/seed_index.ts";
import { downloadVerified, type FetchPolicy } from "../net/fetch.ts";
import { imageByDelta } from "./_by_delta.ts";
import type { ImageResult } from "./_options.ts";
import type { Candidate } from "./_resolve.ts";
import type { CacheEntry, ImageStore } from "./_store.ts";

/** A verified cache entry, and how this process got it. */
export type Ensured = { entry: CacheEntry; downloaded: boolean; delta?: ImageResult["delta"] };

/** What {@linkcode fetchEntry} needs of the cache's options and of the get. */
export interface FetchEntryOptions {
  /** The entry's directory (`ImageStore.entryDir` of the candidate). */
  dir: string;
  /** Repository base URL. */
  api: URL | string;
  fetch?: FetchPolicy;
  /** `false`: never by delta. */
  delta?: boolean;
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
  onProgress?: (bytes: number, total: number) => void;
}

/** The verified cache entry of `c` in `store`: the one there when intact, else fetched and committed. */
export async function fetchEntry(store: ImageStore, c: Candidate, o: FetchEntryOptions): Promise<Ensured> {
  const sha256 = c.target.hashes.sha256;
  const existing = await store.readEntry(o.dir);
  if (existing && existing.sha256 === sha256 && await store.intact(existing)) {
    return { entry: existing, downloaded: false };
  }
  if (existing) {
    if (existing.sha256 === sha256) {
      o.onWarning?.(`cached ${c.deviceType} ${c.version} is corrupt: fetching again`);
    }
    await store.drop(existing);
  }
  const policy = { ...o.fetch, signal: o.signal ?? o.fetch?.signal };
  const byDelta = o.delta === false ? undefined : await imageByDelta(store, {
    candidate: c,
    api: o.api,
    policy,
    onProgress: o.onProgress,
    onWarning: o.onWarning,
  });
  const blob = byDelta?.tar ?? await downloadVerified(joinUrl(o.api, c.target.url), {
    ...policy,
    downloads: store.partials,
    key: sha256,
    expected: { length: c.target.length, sha256 },
    name: c.target.path,
    onProgress: (bytes) => o.onProgress?.(bytes, c.target.length),
  });
  const entry = await store.commit(blob, {
    deviceType: c.deviceType,
    version: c.version,
    variant: c.variant,
    sha256,
    size: c.target.length,
    prerelease: c.prerelease === true,
    recommended: c.recommended === true,
    target: c.target.path,
  });
  if (!byDelta) return { entry, downloaded: true };
  await moveSeedIndex(byDelta.tar, entry.path); // the image is a seed of the next delta
  return { entry, downloaded: true, delta: { fetched: byDelta.fetched, saved: byDelta.saved } };
}
