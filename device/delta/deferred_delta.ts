/**
 * The install side of a deferred delta (DESIGN §10): `update` plans a delta (`downloadDelta` with
 * `defer`) and the install streams the reassembly straight into the extractor, the pack ranges
 * fetched meanwhile, so the uncompressed tar is neither written whole nor read back before it is
 * extracted. Every chunk is hashed before it is given; the extractor's own check of the whole stream
 * against the signed index's sha256 and length comes before anything is committed. The stream is
 * also written to `<downloads>/<key>.chunks/tar` (no fsync: it becomes the app's next seed once the
 * install succeeded, its chunk list the index's). A killed install keeps the chunks fetched so far.
 * A pack range the server does not serve as asked (`RangeIgnoredError`: it ignored Range) drops the
 * delta (`<key>.chunks/`, `<key>.cidx`) before the stream errors with it: opened again, the release
 * has no deferred delta, and the install downloads the artifact in full.
 *
 * @example
 * ```ts ignore
 * import { openDeferredDelta } from "./deferred_delta.ts";
 * const open = await openDeferredDelta(ws.downloads, { key, seeds: ["/var/lib/drover/seeds/acme~radio/5f….blob"], policy: {} });
 * if (open) await installRelease(appDir, open, { deploy, expected: { sha256, length } });
 * ```
 * @module
 */
import { open, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { FetchPolicy } from "../net/fetch.ts";
import { CoalescingWriter } from "../fs/file_streams.ts";
import { readDeferred } from "./_deferred_state.ts";
import { prepare } from "./_prepare.ts";
import { reassemble } from "./_reassemble.ts";
import { RangeIgnoredError } from "./range_ignored_error.ts";
import { writeSeedIndex } from "./seed_index.ts";

/** Where the streamed tar of `key` is written (the next seed once installed). */
export const deferredTar = (downloads: string, key: string): string =>
  join(downloads, `${key}.chunks`, "tar");

/**
 * A stream opener for the deferred delta of `key`, or `undefined` when none was planned (or its
 * record is gone or malformed). `seeds`: the app's seeds as they are now (their cached lists serve).
 * The stream errors with `RangeIgnoredError` (a `NotFoundError`) when the server ignores Range, the
 * delta dropped: the caller installs from the full artifact instead.
 */
export async function openDeferredDelta(
  downloads: string,
  o: {
    key: string;
    seeds: string[];
    policy: FetchPolicy;
    /** Told as pack bytes arrive (`total`: the planned ones). */
    onProgress?: (bytes: number, total: number) => void;
  },
): Promise<(() => ReadableStream<Uint8Array>) | undefined> {
  const dir = join(downloads, `${o.key}.chunks`);
  const state = await readDeferred(dir);
  if (!state || !(await stat(join(downloads, `${o.key}.cidx`)).catch(() => undefined))) return undefined;
  async function* chunks() {
    const seeds = o.seeds.map((path) => ({ path }));
    const p = await prepare(downloads, {
      key: o.key,
      link: state!.link,
      index: state!.index,
      seeds,
      policy: o.policy,
    });
    const tar = deferredTar(downloads, o.key);
    const fh = await open(tar, "w").catch(async (error) => {
      await p.close();
      await p.log.close();
      throw error;
    });
    try {
      const out = new CoalescingWriter(fh);
      let got = 0;
      o.onProgress?.(0, p.plan.fetchBytes);
      const onFetched = (n: number) => o.onProgress?.(got += n, p.plan.fetchBytes);
      for await (const bytes of reassemble(p, { pack: state!.pack, policy: o.policy, onFetched })) {
        await out.push(bytes);
        yield bytes;
      }
      await out.flush();
    } finally {
      await fh.close();
      await p.log.close();
    }
    await writeSeedIndex(tar, {
      chunker: p.index.chunker,
      index: { gzip: false, chunks: p.index.chunks, source: "index" },
    }).catch(() => {});
  }
  /** The chunks; a server that ignores Range drops the delta first (see the module doc). */
  async function* orDrop() {
    try {
      yield* chunks();
    } catch (error) {
      if (error instanceof RangeIgnoredError) {
        await rm(dir, { recursive: true, force: true }).catch(() => {});
        await rm(join(downloads, `${o.key}.cidx`), { force: true }).catch(() => {});
      }
      throw error;
    }
  }
  return () => ReadableStream.from(orDrop());
}
