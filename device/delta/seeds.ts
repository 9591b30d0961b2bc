/**
 * Seeds of deltas (DESIGN §10): what a device already holds of an app. After an install, the
 * verified file it installed from (the `.tar.gz` blob, or the `.tar` a delta reassembled) is kept
 * as `<workspace>/seeds/<owner~app>.blob`, replacing the app's previous seed: one file per app,
 * whatever `gc` keeps. Seeds are only hints: every chunk taken from one is hashed first.
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

const seedPath = (workspace: string, app: string) =>
  join(workspace, "seeds", `${app.replace("/", "~")}.blob`);

/**
 * Moves the first of `files` that exists (verified, installed) to be the seed of `app`; errors are
 * ignored (a seed is optional: without one the next update downloads in full).
 */
export async function keepSeed(workspace: string, app: string, files: string[]): Promise<void> {
  await mkdir(join(workspace, "seeds"), { recursive: true }).catch(() => {});
  for (const file of files) {
    if (await rename(file, seedPath(workspace, app)).then(() => true, () => false)) return;
  }
}

/** The seed files of `app` that exist. */
export async function seedsOf(workspace: string, app: string): Promise<string[]> {
  const path = seedPath(workspace, app);
  return (await stat(path).catch(() => undefined))?.isFile() ? [path] : [];
}
