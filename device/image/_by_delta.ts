/**
 * Private to device/image: an image downloaded by delta (DESIGN §10), the cached images of the same
 * device type as seeds. The reassembled image is verified against the signed chunk index, and the
 * index must name the image target's own signed sha256 and length (an image's chunked form is of the
 * image as it is: the index's stream IS the image), so what is committed hashes to the signed target.
 * `undefined` sends the caller to the full image (no chunked form, no seed, too little shared, no pack
 * on the server); an `IntegrityError` (a hostile index, pack or server) is thrown, its leftovers removed.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { parseDeltaLink } from "../../core/delta/mod.ts";
import { IntegrityError, NotFoundError } from "../../core/errors.ts";
import { RangeIgnoredError } from "../delta/range_ignored_error.ts";
import { targetUrl } from "../../core/trust/mod.ts";
import { joinUrl } from "../../core/url/mod.ts";
import { type DeltaResult, downloadDelta } from "../delta/delta_download.ts";
import { seedIndexPath } from "../delta/seed_index.ts";
import type { FetchPolicy } from "../net/fetch.ts";
import type { Candidate } from "./_resolve.ts";
import type { ImageStore } from "./_store.ts";

/** Removes what a delta download of `key` left in `downloads`. */
async function removeLeftovers(downloads: string, key: string): Promise<void> {
  for (const name of [`${key}.chunks`, `${key}.cidx`, `${key}.tar`, seedIndexPath(`${key}.tar`)]) {
    await rm(join(downloads, name), { recursive: true, force: true });
  }
}

/** The verified image reassembled in the store's partials by delta, or `undefined` (see the module doc). */
export async function imageByDelta(
  store: ImageStore,
  o: {
    candidate: Candidate;
    api: URL | string;
    policy: FetchPolicy;
    onProgress?: (bytes: number, total: number) => void;
    /** Told when the server ignores Range for the pack (the full image is fetched instead). */
    onWarning?: (message: string) => void;
  },
): Promise<DeltaResult | undefined> {
  const { target } = o.candidate;
  const value = (target.custom as { delta?: unknown } | undefined)?.delta;
  const downloads = store.partials;
  const seeds = (await store.list())
    .filter((e) => e.deviceType === o.candidate.deviceType && e.sha256 !== target.hashes.sha256)
    .map((e) => e.path);
  if (value === undefined || !seeds.length) return undefined;
  let link;
  try {
    link = parseDeltaLink(value);
  } catch {
    return undefined; // a malformed link: the full image serves
  }
  const key = target.hashes.sha256;
  try {
    const result = await downloadDelta(downloads, {
      key,
      delta: {
        link,
        index: joinUrl(o.api, targetUrl(link.index, link.indexSha256)),
        pack: joinUrl(o.api, targetUrl(link.pack, link.packSha256)),
      },
      seeds,
      fullLength: target.length,
      policy: o.policy,
      onProgress: o.onProgress,
    });
    if (!result) await removeLeftovers(downloads, key);
    if (result && (result.sha256 !== key || result.length !== target.length)) {
      throw new IntegrityError(
        `Cannot verify image ${target.path} by delta: its chunk index names another sha256 or length`,
      );
    }
    return result;
  } catch (error) {
    // a transient failure keeps the chunks fetched so far: the next get resumes
    if (error instanceof IntegrityError || error instanceof NotFoundError) {
      await removeLeftovers(downloads, key);
    }
    if (error instanceof RangeIgnoredError) {
      o.onWarning?.(`${o.candidate.deviceType}: ${error.notice}; downloading in full`);
    }
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}
