/**
 * Keeps Deno's peak memory down while hundreds of MiB stream through: every chunk a download, a file
 * read or gunzip produces is a fresh buffer outside the JS heap, freed only when the small JS
 * objects holding it are collected. Few, large chunks mean few JS objects, so collections are rare
 * and dead buffers pile up until V8's external-memory limit (~64 MiB) forces one. On Deno a
 * collection every {@linkcode GC_EVERY} streamed bytes (measured with scripts/bench/install.ts, 512 MiB)
 * brought peak RSS from ~120-150 MiB to ~80-105 MiB (32 MiB: ~95-108; 8 MiB: no better), with no
 * time cost visible in the noise of a shared machine; on Node it changed nothing measurable
 * (~90-100 MiB either way), so Node is left alone.
 *
 * `--max-semi-space-size` set at run time with `v8.setFlagsFromString` (1 and 4 MiB tried) did not
 * lower the peak measurably on either runtime (the young generation is sized at start-up); on the
 * command line, 1 MiB took ~10 MiB off on Node and ~50 MiB on Deno, but the bundle's command line
 * (`node dist/drover.mjs`, `deno run -A dist/drover.mjs`) is not ours to choose.
 * @module
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** Bytes streamed between two collections. */
export const GC_EVERY = 16 * 1024 * 1024;

type Collect = (options?: { type?: "minor" | "major" }) => void;
let collect: Collect | null | undefined;

const ON_DENO = typeof process !== "undefined" && typeof process.versions?.deno === "string";

function collector(): Collect | null {
  if (collect !== undefined) return collect;
  if (!ON_DENO) return (collect = null);
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

/** Call with each chunk's size as it streams in (network or file); on Deno, collects every {@linkcode GC_EVERY} bytes. */
export function noteStreamed(bytes: number): void {
  since += bytes;
  if (since < GC_EVERY) return;
  since = 0;
  collector()?.({ type: "minor" });
}
