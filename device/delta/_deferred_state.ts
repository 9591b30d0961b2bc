/**
 * Private to device/delta: what a deferred delta needs at install time beside the index kept in
 * `<key>.cidx` and the chunk log: the signed link and where the index and pack are, in
 * `<downloads>/<key>.chunks/delta.json` (atomic). Read back strictly: anything malformed is no
 * deferred delta (the install then downloads the artifact in full).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type DeltaLink, parseDeltaLink } from "../../core/delta/mod.ts";
import { writeFileAtomic } from "../fs/atomic_file.ts";

/** The recorded delta of a release. */
export interface DeferredState {
  link: DeltaLink;
  index: URL;
  pack: URL;
}

const pathIn = (dir: string) => join(dir, "delta.json");

/** Records `state` in the chunk log's directory `dir`. */
export async function writeDeferred(dir: string, state: DeferredState): Promise<void> {
  const doc = { version: 1, link: state.link, index: state.index.href, pack: state.pack.href };
  await writeFileAtomic(pathIn(dir), new TextEncoder().encode(JSON.stringify(doc)));
}

/** The state recorded in `dir`, or `undefined` (none, or malformed). */
export async function readDeferred(dir: string): Promise<DeferredState | undefined> {
  try {
    const doc = JSON.parse(await readFile(pathIn(dir), "utf8"));
    if (doc?.version !== 1) return undefined;
    const [index, pack] = [new URL(doc.index), new URL(doc.pack)];
    if (![index, pack].every((u) => /^(https?|file):$/.test(u.protocol))) return undefined;
    return { link: parseDeltaLink(doc.link), index, pack };
  } catch {
    return undefined;
  }
}
