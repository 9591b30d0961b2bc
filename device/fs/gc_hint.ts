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
 * - Deno: the `gc` of a new node:vm context ignores its options and runs a full collection (a low-memory
 *   notification: two mark-compacts, 20-40 ms in all), so a young one cannot be asked for; every 16 MiB
 *   keeps the cost near a second per 512 MiB. Without it `check` peaked at 113-126 MiB instead of 82-99
 *   (idle ~52); every 4 MiB was no better for `update` and took 2-5 times as long. Deno's own `fetch`
 *   drained into nothing peaks 24 MiB over its idle even with this collection every 16 MiB.
 *
 * `--max-semi-space-size` set at run time with `v8.setFlagsFromString` (1 and 4 MiB tried) did not
 * lower the peak measurably on either runtime (the young generation is sized at start-up); on the
 * command line, 1 MiB took ~10 MiB off on Node and ~50 MiB on Deno, but the bundle's command line
 * (`node dist/drover.mjs`, `deno run -A dist/drover.mjs`) is not ours to choose.
 * @module
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

type Collect = (options?: { type?: "minor" | "major" }) => void;

const ON_DENO = typeof process !== "undefined" && typeof process.versions?.deno === "string";
const ON_NODE = typeof process !== "undefined" && typeof process.versions?.node === "string" && !ON_DENO &&
  !("bun" in process.versions);

/** Bytes streamed between two collections (see the module doc), 0 where none is asked for. */
export const GC_EVERY: number = ON_DENO ? 16 * 1024 * 1024 : ON_NODE ? 1024 * 1024 : 0;

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

let since = 0;

/**
 * Call with each chunk's size as it streams in (network or file); asks for a collection every
 * {@linkcode GC_EVERY} bytes (a young one where the runtime allows it).
 *
 * @example
 * ```ts
 * import { noteStreamed } from "./gc_hint.ts";
 * noteStreamed(64 * 1024); // after a 64 KiB chunk went by
 * ```
 */
export function noteStreamed(bytes: number): void {
  since += bytes;
  if (GC_EVERY === 0 || since < GC_EVERY) return;
  since = 0;
  collector()?.({ type: "minor" });
}
