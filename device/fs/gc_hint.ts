/**
 * Keeps peak memory down while hundreds of MiB stream through. Every chunk a download, a file read
 * or gunzip produces is a fresh buffer outside the JS heap, freed only when the small JS object
 * holding it is collected; few, large chunks mean few JS objects, so collections are rare and dead
 * buffers pile up (tens of MiB) long after the bytes were written. What is in flight is small (a few
 * MiB: read-ahead, queues, write buffers); the dead buffers are most of the peak. So every
 * {@linkcode GC_EVERY} streamed bytes a collection is asked for:
 *
 * - Node: a young-generation collection (a scavenge, well under a millisecond) every MiB. Chunks must
 *   die within a few intervals (a 256 KiB file read, a 64 KiB network chunk): a buffer that outlives two
 *   scavenges is promoted and then waits for a full collection (1 MiB file reads with a scavenge every
 *   2 MiB measured 132 MiB peak instead of 89). Measured with the 512 MiB release of
 *   scripts/bench/install.ts (idle `drover --version` ~50 MiB): peak RSS of `check` 81-98 -> 73-78 MiB,
 *   `install` 88-93 -> 74-75 MiB (with 256 KiB reads), `update` 88 -> 77-81 MiB.
 * - Deno: the `gc` of a new node:vm context ignores its options and runs a full collection (10-40 ms),
 *   so a young one cannot be asked for, and collecting by bytes was either slow or loose (every 16 MiB:
 *   `update` peaked at idle + 38-48 MiB; every 4 MiB: idle + 38, 2-5 times as long). The RSS is no
 *   guide either: what a collection frees stays in the allocator's heap, and the runtime's code paged
 *   in by fetch, zlib and the file system (~12 MiB, measured in /proc/<pid>/smaps) never leaves. So
 *   Deno collects by what is dead: every {@linkcode GC_EVERY} bytes it reads V8's count of memory held
 *   by buffers (a few microseconds) and asks for a collection when it is over
 *   {@linkcode DENO_EXTERNAL}, at most every {@linkcode DENO_MIN_GAP} bytes. Measured (512 MiB `update`,
 *   idle 53 MiB, same machine, one run each, twice): 8 MiB peaked at 85-87 MiB in 5.0-5.2 s, 12 MiB at
 *   87-102 MiB in 4.8-4.9 s, 16 MiB at 87-88 MiB in 3.7-4.1 s. Below that the peak no longer follows:
 *   the rest is code, live buffers and what the allocator keeps. Where the buffers are freed as they
 *   are used (`releaseBuffer`: the install's UntarStream, `check`'s drain), that count stays low and
 *   a collection is asked for every {@linkcode DENO_EVERY} bytes, for the JS objects each chunk
 *   leaves: `update` 83-84 MiB in 2.8-3.4 s (was 89-90 in 3.1-3.4), `install` 75-77, `check` 75.
 *
 * The young generation is kept from growing: `--semi-space-growth-factor=1`, set when this module
 * loads, holds Node's heap at ~12 MiB where it grew to ~26 MiB, taking 4-6 MiB off the peak of a 512 MiB
 * `update` (77-79 MiB, was 82-83; idle 50) at no measured cost in time; no change measured on Deno.
 *
 * `--max-semi-space-size` set at run time with `v8.setFlagsFromString` (1 and 4 MiB tried) did not
 * lower the peak measurably on either runtime (the young generation is sized at start-up); on the
 * command line, 1 MiB took ~10 MiB off on Node and ~50 MiB on Deno, but the bundle's command line
 * (`node dist/drover.mjs`, `deno run -A dist/drover.mjs`) is not ours to choose.
 * @module
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import process from "node:process";

type Collect = (options?: { type?: "minor" | "major" }) => void;

const ON_DENO = typeof process !== "undefined" && typeof process.versions?.deno === "string";
const ON_NODE = typeof process !== "undefined" && typeof process.versions?.node === "string" && !ON_DENO &&
  !("bun" in process.versions);

/** Bytes streamed between two collections (Node), or between two looks at the RSS (Deno); 0: never. */
export const GC_EVERY: number = ON_DENO ? 256 * 1024 : ON_NODE ? 1024 * 1024 : 0;

/** Deno: buffer memory (V8's `external`) over which a collection is asked for. */
export const DENO_EXTERNAL = 16 * 1024 * 1024;
/** Deno: bytes streamed between two collections at least. */
export const DENO_MIN_GAP = 4 * 1024 * 1024;
/**
 * Deno: bytes streamed between two collections at most, whatever the buffer memory: where buffers
 * are freed as they are used (UntarStream's `releaseBuffers`) it stays low, while the JS objects
 * of each chunk (promises, read results) still pile up in the heap.
 */
export const DENO_EVERY = 16 * 1024 * 1024;

if (GC_EVERY !== 0) {
  try {
    setFlagsFromString("--semi-space-growth-factor=1");
  } catch {
    // a runtime without V8 flags: the collections below still bound the peak
  }
}

let collect: Collect | null | undefined;

function collector(): Collect | null {
  if (collect !== undefined) return collect;
  if (GC_EVERY === 0) return (collect = null);
  try {
    setFlagsFromString("--expose-gc");
    collect = runInNewContext("gc") as Collect;
    if (typeof collect !== "function") collect = null;
  } catch {
    collect = null;
  }
  return collect;
}

const external = (): number => process.memoryUsage().external;
let since = 0;
let sinceCollect = 0;

/**
 * Call with each chunk's size as it streams in (network or file); asks for a collection every
 * {@linkcode GC_EVERY} bytes on Node (a young one), and on Deno when dead buffers pile up.
 *
 * @example
 * ```ts
 * import { noteStreamed } from "./gc_hint.ts";
 * noteStreamed(64 * 1024); // after a 64 KiB chunk went by
 * ```
 */
export function noteStreamed(bytes: number): void {
  since += bytes;
  sinceCollect += bytes;
  if (GC_EVERY === 0 || since < GC_EVERY) return;
  since = 0;
  if (!ON_DENO) return void collector()?.({ type: "minor" });
  if (sinceCollect < DENO_MIN_GAP || (sinceCollect < DENO_EVERY && external() < DENO_EXTERNAL)) return;
  const gc = collector();
  if (!gc) return;
  sinceCollect = 0;
  gc();
}
