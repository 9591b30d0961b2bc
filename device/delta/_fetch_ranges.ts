/**
 * Private to device/delta: fetches pack ranges by HTTP Range, a few at a time, and stores each
 * entry's chunk (in the delta's chunk log) once its gunzipped bytes have the length and sha256 the signed index gives.
 * A range not served as asked (a 200: a static server that ignores Range; a 416; a 206 of another
 * range) is a `RangeIgnoredError`: no delta from this server, the caller falls back to the full
 * artifact. A range of the wrong length (a truncated pack) or a chunk that does not verify is an
 * `IntegrityError`: nothing of it is kept.
 */
import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { IntegrityError } from "../../core/errors.ts";
import type { PackRange } from "../../core/delta/mod.ts";
import { readAll } from "../../core/verify/mod.ts";
import { type Opened, openUrl, withRetries } from "../net/http.ts";
import type { FetchPolicy } from "../net/fetch.ts";
import { RateGuard } from "../net/rate_guard.ts";
import type { ChunkLog } from "./_chunk_log.ts";
import { RangeIgnoredError } from "./range_ignored_error.ts";

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

/**
 * Why `opened` is not `range` as asked, or `undefined` when it is: a 206 whose Content-Range starts at
 * the asked offset and does not end past the asked end (a short one is a short pack, checked by
 * length), or a 200 that is exactly the asked bytes (the whole file from byte 0).
 */
function notAsAsked(opened: Opened, range: { offset: number; length: number }): string | undefined {
  const { status, contentRange } = opened;
  if (status === 200) {
    if (range.offset === 0 && opened.contentLength === range.length) return undefined;
    return "the server ignored Range (HTTP 200)";
  }
  if (status !== 206) return `the server could not serve the range (HTTP ${status})`;
  const m = /^bytes (\d+)-(\d+)\/(?:\d+|\*)$/.exec(contentRange?.trim() ?? "");
  if (m && Number(m[1]) === range.offset && Number(m[2]) < range.offset + range.length) return undefined;
  return `the server sent another range (HTTP 206, Content-Range: ${contentRange ?? "none"})`;
}

/**
 * The bytes of `range` of `pack`, exactly (`IntegrityError` for more or fewer); `RangeIgnoredError`
 * when the server does not serve the range as asked.
 */
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
      const why = notAsAsked(opened, range);
      if (why) {
        throw new RangeIgnoredError(`Cannot fetch ${where} by range: ${why}`, { status: opened.status });
      }
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
 * Asks `pack` for its first byte: `NotFoundError` when the server lacks it, `RangeIgnoredError` (a
 * `NotFoundError` too) when it does not serve it by range.
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
