/**
 * Private to device/commands: how `install` lets go of a pending download it is done with. The
 * record goes, and so do the download's files (blob, `.part`, the tar a delta reassembled and its
 * seed index, the chunk index and chunk log); an installed release's verified bytes (a streamed
 * install's `.part` too) are kept first as the app's delta seed, the app's seeds pruned to those of
 * its current and previous releases.
 * @module
 */
import { rm, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { PendingManifest, Workspace } from "../fs/workspace.ts";
import { keepSeed } from "../delta/seeds.ts";
import { deferredTar } from "../delta/deferred_delta.ts";
import { seedIndexPath } from "../delta/seed_index.ts";

/** Drops the pending record `key` of `m` and its download (`installed`: its bytes kept as a seed first). */
export async function dropPending(
  ws: Workspace,
  m: PendingManifest,
  o: { key: string; target: string; installed?: boolean },
): Promise<void> {
  // downloads/<blob>.tar: a release reassembled by delta
  const tar = join(ws.downloads, `${m.blob}.tar`);
  await ws.removePending(o.key, { ref: m.ref });
  // installed: the bytes verified (a streamed install's .part too)
  if (o.installed && m.sha256) {
    const files = [ws.blobPath(m.blob), tar, ws.partPath(m.blob), deferredTar(ws.downloads, m.blob)];
    await keepSeed(ws.dir, m.name, { files, sha256: m.sha256, target: o.target }).catch(() => {});
  }
  await unlink(ws.blobPath(m.blob)).catch(() => {});
  await unlink(ws.partPath(m.blob)).catch(() => {});
  await unlink(tar).catch(() => {});
  await unlink(seedIndexPath(tar)).catch(() => {});
  await unlink(join(ws.downloads, `${m.blob}.cidx`)).catch(() => {});
  await rm(join(ws.downloads, `${m.blob}.chunks`), { recursive: true, force: true }).catch(() => {});
}
