/**
 * Private to device/commands: `check`'s delta download of one offered release (DESIGN §10), when
 * it links a chunked form and the workspace holds a seed of the app (each seed with the chunked form
 * of the release it is, when the repository still offers it: its signed index lists the seed's
 * chunks, so the seed need not be chunked); `undefined` sends the caller
 * to the full artifact (no delta, no seed, too little shared, no pack on the server, a server that
 * does not serve the pack by range: a one-line notice on stderr says so). An `IntegrityError` (a
 * hostile index, pack or server) is thrown: the release is refused.
 */
import { stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { NotFoundError } from "../../core/errors.ts";
import type { CommandIO } from "../cli/command.ts";
import type { Offer, Offers } from "../app/offers.ts";
import { ProgressBar } from "../cli/progress.ts";
import type { PendingManifest, Workspace } from "../fs/workspace.ts";
import { type DeltaResult, downloadDelta, type SeedFile } from "../delta/delta_download.ts";
import { RangeIgnoredError } from "../delta/range_ignored_error.ts";
import { seedsOf } from "../delta/seeds.ts";
import type { CheckFlags } from "./_shared.ts";

/** Downloads `release` by delta into `downloads/<key>.tar`, or resolves `undefined` (see the module doc). */
export async function deltaOffer(
  ws: Workspace,
  o: {
    offer: Offer;
    /** What the repository offers: the releases the seeds are. */
    offers?: Offers;
    /** The refs the app is installed on (the seeds are the app's, whatever the ref). */
    refs?: string[];
    release: PendingManifest;
    flags: CheckFlags;
    io: CommandIO;
    json: boolean;
    log: (text: string) => void;
    /** Plan only: the install streams the delta (`update`). */
    defer?: boolean;
  },
): Promise<DeltaResult | undefined> {
  const { offer, release, log } = o;
  if (!offer.delta || offer.expected.length === undefined || o.io.env.DROVER_DELTA === "0") return undefined;
  if (await stat(ws.blobPath(release.blob)).catch(() => undefined)) return undefined;
  /** Shown once bytes are fetched (a deferred delta fetches while installing). */
  let bar: ProgressBar | undefined;
  try {
    const result = await downloadDelta(ws.downloads, {
      key: offer.key,
      delta: offer.delta,
      seeds: await seedFiles(ws, o),
      fullLength: offer.expected.length,
      policy: o.flags.policy,
      defer: o.defer,
      onProgress: (bytes, total) => {
        bar ??= new ProgressBar(o.io, {
          label: `${release.name} ${offer.commit.slice(0, 12)} (delta)`,
          json: o.json,
        });
        bar.update(bytes, total);
      },
    });
    bar?.done({ ok: result !== undefined });
    // A fallback to the full artifact leaves nothing of the delta behind (the index was only for resuming it).
    if (!result) await unlink(join(ws.downloads, `${offer.key}.cidx`)).catch(() => {});
    if (result) {
      const done = result.deferred ? "to fetch while installing" : "fetched";
      log(
        `${release.name}: delta ${done} ${result.fetched} of ${offer.expected.length} bytes (saved ${result.saved})`,
      );
    }
    return result;
  } catch (error) {
    bar?.done({ ok: false });
    if (error instanceof RangeIgnoredError) {
      // a misconfigured server, not a refusal: said even with --json (stdout holds the document)
      o.io.stderr(`${release.name}: ${error.notice}; downloading in full\n`);
      await unlink(join(ws.downloads, `${offer.key}.cidx`)).catch(() => {});
      return undefined;
    }
    if (error instanceof NotFoundError) {
      log(`${release.name}: no chunked form on the server; downloading in full`);
      return undefined;
    }
    throw error;
  }
}

/** The seeds of the app, each with the chunked form of the release it is when that is on offer. */
async function seedFiles(
  ws: Workspace,
  o: { offers?: Offers; refs?: string[]; release: PendingManifest },
): Promise<SeedFile[]> {
  const { name, ref } = o.release;
  const releases = new Map<string, Offer>();
  for (const r of new Set([ref, ...(o.refs ?? [])])) {
    for (const offer of o.offers?.releases?.(name, r) ?? []) releases.set(offer.key, offer);
  }
  return (await seedsOf(ws.dir, name)).map((s) => {
    const release = s.sha256 ? releases.get(s.sha256)?.delta : undefined;
    return release ? { path: s.path, release } : { path: s.path };
  });
}
