/**
 * Private to device/delta: fetches pack ranges by HTTP Range, a few at a time, and stores each
 * entry's chunk (in the delta's chunk log) once its gunzipped bytes have the length and sha256 the signed index gives.
 * A range of the wrong length (a server that ignores Range, a truncated pack) or a chunk that does
 * not verify is an `IntegrityError`: nothing of it is kept.
 */
import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { IntegrityError } from "../../core/errors.ts";
import type { PackRange } from "../../core/delta/mod.ts";
import { readAll } from "../../core/verify/mod.ts";
import { openUrl, withRetries } from "../net/http.ts";
import type { FetchPolicy } from "../net/fetch.ts";
import { RateGuard } from "../net/rate_guard.ts";
import type { ChunkLog } from "./_chunk_log.ts";

/** Ranges fetched at once. */
const IN_FLIGHT = 3;

const gunzipAsync = promisify(gunzip);

/** Gunzips (off the main thread, bounded) and verifies one pack entry. */
async function unpack(bytes: Uint8Array, length: number, sha256: string, where: string): Promise<Uint8Array> {
  let out: Uint8Array;
  try {
    out = await gunzipAsync(bytes, { maxOutputLength: length + 1 });
  } catch (e) {
    throw new IntegrityError(`Cannot verify ${where}: ${(e as Error).message}`, { cause: e });
  }
  if (out.length !== length || createHash("sha256").update(out).digest("hex") !== sha256) {
    throw new IntegrityError(`Cannot verify ${where}: sha256 or length mismatch`);
  }
  return out;
}

/** The bytes of `range` of `pack`, exactly (`IntegrityError` for more or fewer). */
async function rangeOf(
  pack: URL,
  range: { offset: number; length: number },
  o: { policy: FetchPolicy; rate: RateGuard },
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
  return bytes;
}

/**
 * Asks `pack` for its first byte: `NotFoundError` when the server lacks it, `IntegrityError` when it
 * does not answer a range as asked.
 */
export async function probePack(pack: URL, policy: FetchPolicy): Promise<void> {
  await rangeOf(pack, { offset: 0, length: 1 }, { policy, rate: RateGuard.forPolicy(policy, String(pack)) });
}

async function fetchRange(
  pack: URL,
  range: PackRange,
  o: { policy: FetchPolicy; rate: RateGuard; log: ChunkLog },
) {
  const bytes = await rangeOf(pack, range, o);
  for (const e of range.entries) {
    const at = e.packOffset - range.offset;
    const where = `chunk ${e.sha256} of ${pack}`;
    // stored one by one: reassembly waiting for a chunk takes it as soon as it is there
    await o.log.put(e.sha256, await unpack(bytes.subarray(at, at + e.packLength), e.length, e.sha256, where));
  }
}

/**
 * Fetches `ranges` of `pack` into `log`, at most {@linkcode IN_FLIGHT} at once; `onFetched` per range.
 * Once `signal` is aborted no further range is started (those in flight finish).
 */
export async function fetchRanges(
  pack: URL,
  ranges: PackRange[],
  options: { policy: FetchPolicy; log: ChunkLog; onFetched?: (bytes: number) => void; signal?: AbortSignal },
): Promise<void> {
  const rate = RateGuard.forPolicy(options.policy, String(pack));
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < ranges.length && !failed && !options.signal?.aborted) {
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
