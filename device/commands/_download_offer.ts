/**
 * Private to device/commands: `check`'s download of one offered release into the workspace
 * (verified, resumable), with a progress bar.
 * @module
 */
import type { CommandIO } from "../cli/command.ts";
import type { Offer } from "../app/offers.ts";
import { ProgressBar } from "../cli/progress.ts";
import type { PendingManifest, Workspace } from "../fs/workspace.ts";
import { downloadVerified } from "../net/fetch.ts";
import type { CheckFlags } from "./_shared.ts";

/** Downloads `release` (verified, resumable) into the workspace, with a progress bar. */
export async function downloadOffer(
  ws: Workspace,
  o: {
    offer: Offer;
    release: PendingManifest;
    flags: CheckFlags;
    io: CommandIO;
    json: boolean;
    log: (text: string) => void;
  },
): Promise<void> {
  const { offer, release, log } = o;
  const bar = new ProgressBar(o.io, {
    label: `${release.name} ${offer.commit.slice(0, 12)}`,
    total: offer.expected.length,
    json: o.json,
  });
  try {
    await downloadVerified(offer.url, {
      ...o.flags.policy,
      downloads: ws.downloads,
      key: offer.key,
      expected: offer.expected,
      name: `${release.name} ${offer.commit}`,
      onProgress: (bytes, total) => bar.update(bytes, total),
      onRetry: ({ attempt, delayMs, error }) =>
        log(`retry ${attempt} in ${Math.round(delayMs)} ms: ${error.message}`),
    });
    bar.done();
  } catch (error) {
    bar.done({ ok: false });
    throw error;
  }
}
