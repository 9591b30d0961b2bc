/**
 * Private to device/commands: how `check` gets the bytes of one offered release: by delta when it
 * can (`_delta_offer.ts`), else in full (`_download_offer.ts`); with `defer` (`update`) nothing is
 * downloaded unless already there, the install downloads while it extracts.
 * @module
 */
import { stat } from "node:fs/promises";
import type { CommandIO } from "../cli/command.ts";
import type { Offer, Offers } from "../app/offers.ts";
import type { PendingManifest, Workspace } from "../fs/workspace.ts";
import type { DeltaResult } from "../delta/delta_download.ts";
import { deltaOffer } from "./_delta_offer.ts";
import { downloadOffer } from "./_download_offer.ts";
import type { CheckFlags } from "./_shared.ts";

/** What {@linkcode fetchOffer} did: deferred to the install, or downloaded (by delta: `delta`). */
export interface FetchedOffer {
  deferred: boolean;
  delta?: DeltaResult;
}

/** Gets `release` (the offer's pending manifest) into the workspace, or defers it (see the module doc). */
export async function fetchOffer(
  ws: Workspace,
  o: {
    offer: Offer;
    offers: Offers;
    /** The refs the app is installed on (its delta seeds are the app's, whatever the ref). */
    refs: string[];
    release: PendingManifest;
    flags: CheckFlags;
    io: CommandIO;
    json: boolean;
    log: (text: string) => void;
    /** Record only: the install downloads while it extracts (`update`). */
    defer: boolean;
  },
): Promise<FetchedOffer> {
  const delta = await deltaOffer(ws, o);
  const deferred = delta?.deferred === true ||
    (!delta && o.defer && !(await stat(ws.blobPath(o.release.blob)).catch(() => undefined)));
  if (!deferred && !delta) await downloadOffer(ws, o);
  return { deferred, delta };
}
