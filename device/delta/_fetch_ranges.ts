/**
 * Private to device/delta: fetches pack ranges by HTTP Range, a few at a time, and stores each
 * entry's chunk once its gunzipped bytes have the length and sha256 the signed index gives.
 * A range of the wrong length (a server that ignores Range, a truncated pack) or a chunk that does
 * not verify is an `IntegrityError`: nothing of it is kept.
 */
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { IntegrityError } from "../../core/errors.ts";
import type { PackRange } from "../../core/delta/mod.ts";
import { readAll } from "../../core/verify/mod.ts";
import { openUrl, withRetries } from "../net/http.ts";
import type { FetchPolicy } from "../net/fetch.ts";
import { RateGuard } from "../net/rate_guard.ts";
import type { ChunkDir } from "./_chunk_dir.ts";

/** Ranges fetched at once. */
const IN_FLIGHT = 3;

function unpack(bytes: Uint8Array, length: number, sha256: string, where: string): Uint8Array {
  let out: Uint8Array;
  try {
    out = gunzipSync(bytes, { maxOutputLength: length + 1 });
  } catch (e) {
    throw new IntegrityError(`Cannot verify ${where}: ${(e as Error).message}`, { cause: e });
  }
  if (out.length !== length || createHash("sha256").update(out).digest("hex") !== sha256) {
    throw new IntegrityError(`Cannot verify ${where}: sha256 or length mismatch`);
  }
  return out;
}

async function fetchRange(
  pack: URL,
  range: PackRange,
  o: { policy: FetchPolicy; rate: RateGuard; dir: ChunkDir },
) {
  const where = `${pack} bytes ${range.offset}+${range.length}`;
  const bytes = await withRetries(async () => {
    const opened = await openUrl(pack, {
      ...o.policy,
      offset: range.offset,
      rangeLength: range.length,
      rate: o.rate,
    });
    try {
      return await readAll(opened.body, {
        maxBytes: range.length,
        name: where,
        tooLarge: () => new IntegrityError(`Cannot fetch ${where}: the server sent more bytes`),
      });
    } finally {
      await opened.dispose();
    }
  }, o.policy);
  if (bytes.length !== range.length) {
    throw new IntegrityError(`Cannot fetch ${where}: the server sent ${bytes.length} bytes`);
  }
  for (const e of range.entries) {
    const at = e.packOffset - range.offset;
    const chunk = unpack(
      bytes.subarray(at, at + e.packLength),
      e.length,
      e.sha256,
      `chunk ${e.sha256} of ${pack}`,
    );
    await o.dir.put(e.sha256, chunk);
  }
}

/** Fetches `ranges` of `pack` into `dir`, at most {@linkcode IN_FLIGHT} at once; `onFetched` per range. */
export async function fetchRanges(
  pack: URL,
  ranges: PackRange[],
  options: { policy: FetchPolicy; dir: ChunkDir; onFetched?: (bytes: number) => void },
): Promise<void> {
  const rate = RateGuard.forPolicy(options.policy, String(pack));
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < ranges.length && !failed) {
      const range = ranges[next++]!;
      try {
        await fetchRange(pack, range, { ...options, rate });
      } catch (e) {
        failed = true;
        throw e;
      }
      options.onFetched?.(range.length);
    }
  };
  const results = await Promise.allSettled(
    Array.from({ length: Math.min(IN_FLIGHT, ranges.length) }, worker),
  );
  const errors = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
  if (errors.length) throw errors.find((e) => e instanceof IntegrityError) ?? errors[0];
}
