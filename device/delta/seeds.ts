/**
 * Seeds of deltas (DESIGN §10): what a device already holds of an app. After an install, the
 * verified file it installed from (the `.tar.gz` blob gunzipped, or the `.tar` a delta reassembled) is
 * kept as `<workspace>/seeds/<owner~app>.blob`, replacing the app's previous seed: one file per app,
 * whatever `gc` keeps, with its cached chunk list (`seed_index.ts`) beside it. Seeds are only
 * hints: every chunk taken from one is hashed first.
 *
 * @example
 * ```ts ignore
 * import { keepSeed, seedsOf } from "./seeds.ts";
 * await keepSeed("/var/lib/drover", "acme/radio", ["/var/lib/drover/downloads/5f….blob"]);
 * console.log(await seedsOf("/var/lib/drover", "acme/radio"));
 * ```
 * @module
 */
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { getAbilities } from "../../core/abilities.ts";
import { DEFAULT_CHUNKER } from "../../core/delta/mod.ts";
import { fileStream, handleSink } from "../fs/file_streams.ts";
import { buildSeedIndex, isGzip, moveSeedIndex, readSeedIndex } from "./seed_index.ts";

const seedPath = (workspace: string, app: string) =>
  join(workspace, "seeds", `${app.replace("/", "~")}.blob`);

/** Writes `file` gunzipped as `seed` (temp + rename); false when it cannot. */
async function gunzipTo(file: string, seed: string): Promise<boolean> {
  const tmp = `${seed}.tmp`;
  try {
    const fh = await open(tmp, "w");
    try {
      await fileStream(file).pipeThrough(getAbilities().createGunzip()).pipeTo(handleSink(fh));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, seed);
    return true;
  } catch {
    await rm(tmp, { force: true });
    return false;
  }
}

/**
 * Moves the first of `files` that exists (verified, installed) to be the seed of `app`; errors are
 * ignored (a seed is optional: without one the next update downloads in full).
 */
export async function keepSeed(workspace: string, app: string, files: string[]): Promise<void> {
  await mkdir(join(workspace, "seeds"), { recursive: true }).catch(() => {});
  const seed = seedPath(workspace, app);
  for (const file of files) {
    const exists = await stat(file).then((s) => s.isFile(), () => false);
    if (!exists) continue;
    // a gzip seed is kept gunzipped: its chunks are then read in place, not streamed out of gzip
    const gzip = await isGzip(file).catch(() => false);
    if (!(gzip && await gunzipTo(file, seed)) && !(await rename(file, seed).then(() => true, () => false))) {
      continue;
    }
    // the chunk list beside it (a delta's tar has one), else the seed is chunked now, not at the next check
    await moveSeedIndex(file, seed);
    if (!(await readSeedIndex(seed, DEFAULT_CHUNKER))) {
      await buildSeedIndex(seed, DEFAULT_CHUNKER).catch(() => {});
    }
    return;
  }
}

/** The seed files of `app` that exist. */
export async function seedsOf(workspace: string, app: string): Promise<string[]> {
  const path = seedPath(workspace, app);
  return (await stat(path).catch(() => undefined))?.isFile() ? [path] : [];
}
