/**
 * Private to device/delta: a signed chunk index, fetched (or read from where an earlier run kept it)
 * and checked against the length and sha256 of the release's signed `custom.delta` before it is
 * decoded; it must agree with the link (pack length, chunker). `IntegrityError` otherwise,
 * `NotFoundError` when the server has none.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { type ChunkIndex, decodeChunkIndex, type DeltaLink } from "../../core/delta/mod.ts";
import { IntegrityError, NotFoundError } from "../../core/errors.ts";
import { writeFileAtomic } from "../fs/atomic_file.ts";
import { fetchBytes, type FetchPolicy } from "../net/fetch.ts";

/** The index `link` names, from `url` (or `keep`, where a verified copy is kept for a resumed run). */
export async function fetchIndex(
  url: URL,
  o: { link: DeltaLink; policy: FetchPolicy; keep?: string },
): Promise<ChunkIndex> {
  const { link } = o;
  const check = (bytes: Uint8Array | undefined) =>
    bytes?.length === link.indexLength &&
    createHash("sha256").update(bytes).digest("hex") === link.indexSha256;
  let bytes: Uint8Array | undefined = o.keep ? await readFile(o.keep).catch(() => undefined) : undefined;
  if (!check(bytes)) {
    bytes = await fetchBytes(url, { ...o.policy, maxLength: link.indexLength });
    if (!bytes) throw new NotFoundError(`Cannot fetch chunk index ${url}: not found`);
    if (!check(bytes)) {
      throw new IntegrityError(`Cannot verify chunk index ${url}: length or sha256 mismatch`);
    }
    if (o.keep) await writeFileAtomic(o.keep, bytes);
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
