/**
 * Keeps peak memory flat while hundreds of MiB stream through: every chunk a download or a file read
 * produces is a fresh buffer outside the JS heap, and V8 frees those only when the small JS objects
 * that hold them are collected. Large chunks mean few JS objects, so collections are rare and up to
 * ~64 MiB of dead buffers pile up before V8's external-memory limit forces one. A young-generation
 * collection every {@linkcode GC_EVERY} bytes (~1 ms on Node) frees them early.
 *
 * `--max-semi-space-size` would be the usual lever, but set at run time (`v8.setFlagsFromString`)
 * it did not lower the peak measurably on Node or Deno (scripts/bench/install.ts), and the bundle's
 * command line is not ours to choose.
 * @module
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** Bytes streamed between two collections. */
export const GC_EVERY = 32 * 1024 * 1024;

type Collect = (options?: { type?: "minor" | "major" }) => void;
let collect: Collect | null | undefined;

function collector(): Collect | null {
  if (collect !== undefined) return collect;
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

/** Call with each chunk's size as it streams in (network or file); collects every {@linkcode GC_EVERY} bytes. */
export function noteStreamed(bytes: number): void {
  since += bytes;
  if (since < GC_EVERY) return;
  since = 0;
  collector()?.({ type: "minor" });
}
