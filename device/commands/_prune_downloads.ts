/**
 * Private to device/commands: `check`'s clean-up of the workspace's downloads: the files of a blob
 * (`.part`, `.blob`, a delta's `.tar`, `.cidx` and `.chunks`) that no remaining record and no offer
 * of the run needs are removed.
 * @module
 */
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Workspace } from "../fs/workspace.ts";
import { isBlobKey } from "../app/offers.ts";

const DOWNLOAD_FILE = /^(.+)\.(?:part|blob|tar|cidx|chunks)$/;

/** Removes the download files in `ws` whose blob key is not in `wanted`. */
export async function pruneDownloads(ws: Workspace, wanted: ReadonlySet<string>): Promise<void> {
  for (const file of await readdir(ws.downloads).catch(() => [] as string[])) {
    const key = DOWNLOAD_FILE.exec(file)?.[1];
    if (key !== undefined && isBlobKey(key) && !wanted.has(key)) {
      await rm(join(ws.downloads, file), { recursive: true, force: true }).catch(() => {});
    }
  }
}
