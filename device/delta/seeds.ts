/**
 * Seeds of deltas (DESIGN §10): what a device already holds of an app. After an install, the
 * verified file it installed from (the `.tar.gz` blob, or the `.tar` a delta reassembled) is
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
import { mkdir, rename, stat } from "node:fs/promises";
import { join } from "node:path";
import { dropSeedIndex, moveSeedIndex } from "./seed_index.ts";

const seedPath = (workspace: string, app: string) =>
  join(workspace, "seeds", `${app.replace("/", "~")}.blob`);

/**
 * Moves the first of `files` that exists (verified, installed) to be the seed of `app`; errors are
 * ignored (a seed is optional: without one the next update downloads in full). Only a rename: the
 * install path pays nothing for the seed. A `.tar.gz` stays compressed; the first delta that uses
 * it chunks it (gunzipped on the fly) and caches its chunk list (`seed_index.ts`), as does a
 * delta's reassembled tar, whose list moves with it.
 */
export async function keepSeed(workspace: string, app: string, files: string[]): Promise<void> {
  await mkdir(join(workspace, "seeds"), { recursive: true }).catch(() => {});
  const seed = seedPath(workspace, app);
  for (const file of files) {
    const exists = await stat(file).then((s) => s.isFile(), () => false);
    if (!exists) continue;
    await dropSeedIndex(seed).catch(() => {});
    if (!(await rename(file, seed).then(() => true, () => false))) continue;
    await moveSeedIndex(file, seed);
    return;
  }
}

/** The seed files of `app` that exist. */
export async function seedsOf(workspace: string, app: string): Promise<string[]> {
  const path = seedPath(workspace, app);
  return (await stat(path).catch(() => undefined))?.isFile() ? [path] : [];
}
