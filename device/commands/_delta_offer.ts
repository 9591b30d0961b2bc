/**
 * Private to device/commands: `check`'s delta download of one offered release (DESIGN §10), when
 * it links a chunked form and the workspace holds a seed of the app; `undefined` sends the caller
 * to the full artifact (no delta, no seed, too little shared, no pack on the server). An
 * `IntegrityError` (a hostile index, pack or server) is thrown: the release is refused.
 */
import { stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { NotFoundError } from "../../core/errors.ts";
import type { CommandIO } from "../cli/command.ts";
import type { Offer } from "../app/offers.ts";
import { ProgressBar } from "../cli/progress.ts";
import type { PendingManifest, Workspace } from "../fs/workspace.ts";
import { type DeltaResult, downloadDelta } from "../delta/delta_download.ts";
import { seedsOf } from "../delta/seeds.ts";
import type { CheckFlags } from "./_shared.ts";

/** Downloads `release` by delta into `downloads/<key>.tar`, or resolves `undefined` (see the module doc). */
export async function deltaOffer(
  ws: Workspace,
  o: {
    offer: Offer;
    release: PendingManifest;
    flags: CheckFlags;
    io: CommandIO;
    json: boolean;
    log: (text: string) => void;
  },
): Promise<DeltaResult | undefined> {
  const { offer, release, log } = o;
  if (!offer.delta || offer.expected.length === undefined || o.io.env.DROVER_DELTA === "0") return undefined;
  if (await stat(ws.blobPath(release.blob)).catch(() => undefined)) return undefined;
  const bar = new ProgressBar(o.io, {
    label: `${release.name} ${offer.commit.slice(0, 12)} (delta)`,
    json: o.json,
  });
  let started = false;
  try {
    const result = await downloadDelta(ws.downloads, {
      key: offer.key,
      delta: offer.delta,
      seeds: await seedsOf(ws.dir, release.name),
      fullLength: offer.expected.length,
      policy: o.flags.policy,
      onProgress: (bytes, total) => {
        started = true;
        bar.update(bytes, total);
      },
    });
    if (started) bar.done({ ok: result !== undefined });
    // A fallback to the full artifact leaves nothing of the delta behind (the index was only for resuming it).
    if (!result) await unlink(join(ws.downloads, `${offer.key}.cidx`)).catch(() => {});
    if (result) {
      log(
        `${release.name}: delta fetched ${result.fetched} of ${offer.expected.length} bytes (saved ${result.saved})`,
      );
    }
    return result;
  } catch (error) {
    if (started) bar.done({ ok: false });
    if (error instanceof NotFoundError) {
      log(`${release.name}: no chunked form on the server; downloading in full`);
      return undefined;
    }
    throw error;
  }
}
