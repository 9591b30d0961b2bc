/**
 * Seeds of deltas (DESIGN §10): what a device already holds of an app. After an install, the
 * verified file it installed from (the `.tar.gz` blob, or the `.tar` a delta reassembled) is kept
 * as `<workspace>/seeds/<owner~app>/<sha256>.blob`, named by the sha256 of the release artifact (a
 * reassembled tar: of the `.tar.gz` it stands for), its cached chunk list (`seed_index.ts`) beside
 * it. An install keeps the seeds of the app's current and previous releases (of every ref of the app:
 * they share its folder) and removes the others; `gc` bounds them, `--seeds N` for each app and ref
 * ({@linkcode pruneSeeds}). Seeds are only hints: every chunk taken from one is hashed first. The
 * layout before (`seeds/<owner~app>.blob`, one an app) is still read as a seed, and removed by the
 * app's next install or by `gc`.
 *
 * @example
 * ```ts ignore
 * import { keepSeed, seedsOf } from "./seeds.ts";
 * await keepSeed("/var/lib/drover", "acme/radio", { files: ["/var/lib/drover/downloads/5f….blob"], sha256: "5f…" });
 * console.log(await seedsOf("/var/lib/drover", "acme/radio"));
 * ```
 * @module
 */
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { isSha256 } from "../../core/names/mod.ts";
import { type App, scanApps } from "../app/scan_apps.ts";
import { dropSeedIndex, moveSeedIndex, seedIndexPath } from "./seed_index.ts";

/** A seed of an app: its file and, in the content-addressed layout, the release artifact's sha256. */
export interface Seed {
  path: string;
  sha256?: string;
}

/** What {@linkcode pruneSeeds} kept and removed (paths under `seeds/`) and the bytes it freed. */
export interface SeedPrune {
  kept: string[];
  removed: string[];
  freedBytes: number;
}

const folderOf = (app: string) => app.replace("/", "~");
const appOf = (folder: string) => folder.replace("~", "/");
const SEED = /^([0-9a-f]{64})\.blob$/;
const sizeOf = (path: string) => stat(path).then((s) => s.size, () => 0);

/**
 * Moves the first of `files` that exists (verified, installed) to be the seed of `app` named
 * `sha256`. With `target`, the app's seeds are then pruned to those of its current and previous
 * releases there (and this one). Errors are ignored: without a seed the next update downloads in
 * full. Only a rename: the install path pays nothing for the seed. A `.tar.gz` stays compressed;
 * its chunk list comes from its release's signed index, or from chunking it, at the first delta that
 * uses it; a delta's reassembled tar brings its list (the index's) along.
 */
export async function keepSeed(
  workspace: string,
  app: string,
  options: { files: string[]; sha256: string; target?: string },
): Promise<void> {
  if (!isSha256(options.sha256)) throw new TypeError("Cannot keep a seed: sha256 must be 64 hex digits");
  const dir = join(workspace, "seeds", folderOf(app));
  await mkdir(dir, { recursive: true }).catch(() => {});
  const seed = join(dir, `${options.sha256}.blob`);
  for (const file of options.files) {
    if (!(await stat(file).then((s) => s.isFile(), () => false))) continue;
    await dropSeedIndex(seed).catch(() => {});
    if (!(await rename(file, seed).then(() => true, () => false))) continue;
    await moveSeedIndex(file, seed);
    break;
  }
  const legacy = join(workspace, "seeds", `${folderOf(app)}.blob`);
  for (const path of [legacy, seedIndexPath(legacy)]) await rm(path, { force: true }).catch(() => {});
  if (options.target === undefined) return;
  const scan = await scanApps(options.target).catch(() => undefined);
  if (scan) {
    await pruneSeeds(workspace, { apps: scan.apps, only: app, also: options.sha256 }).catch(() => {});
  }
}

/** The seeds of `app` that exist: the newest first, a seed of the layout before last. */
export async function seedsOf(workspace: string, app: string): Promise<Seed[]> {
  const dir = join(workspace, "seeds", folderOf(app));
  const found: (Seed & { at: number })[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const sha256 = SEED.exec(name)?.[1];
    const st = sha256 ? await stat(join(dir, name)).catch(() => undefined) : undefined;
    if (st?.isFile()) found.push({ path: join(dir, name), sha256, at: st.mtimeMs });
  }
  found.sort((a, b) => b.at - a.at);
  const seeds: Seed[] = found.map(({ path, sha256 }) => ({ path, sha256 }));
  const legacy = join(workspace, "seeds", `${folderOf(app)}.blob`);
  if ((await stat(legacy).catch(() => undefined))?.isFile()) seeds.push({ path: legacy });
  return seeds;
}

/**
 * Per app name, per ref installed: the sha256 of its current release, then of its previous one. An app
 * name's folder holds the seeds of every ref (a delta may use any), but each ref keeps its own.
 */
function references(apps: App[]): Map<string, string[][]> {
  const refs = new Map<string, string[][]>();
  for (const a of apps) {
    const own = [a.deploy?.sha256, a.previous?.deploy?.sha256].filter((s): s is string => isSha256(s));
    refs.set(a.name, [...(refs.get(a.name) ?? []), [...new Set(own)]]);
  }
  return refs;
}

/**
 * Bounds the seeds in `workspace` by the apps of a target (`apps`, as scanned): each app and ref
 * keeps the seed of its current release, then of its previous one, at most `max` of them (default:
 * both); any other seed of the app's name is removed, and so are the seeds of apps not in `apps` and seeds of
 * the layout before. `only` limits this to one app (an install: its `also`, the seed just kept,
 * stays); `keepOthers` keeps the seeds of apps not in `apps` (a scan that could not read every app
 * directory); stray files (a torn temp file, a list without its seed) go too.
 */
export async function pruneSeeds(
  workspace: string,
  options: { apps: App[]; max?: number; only?: string; also?: string; keepOthers?: boolean },
): Promise<SeedPrune> {
  const root = join(workspace, "seeds");
  const refs = references(options.apps);
  const out: SeedPrune = { kept: [], removed: [], freedBytes: 0 };
  /** Removes `rel` (a file, or an app's folder); `listed`: reported by name. */
  const remove = async (rel: string, listed = true) => {
    const path = join(root, rel);
    const st = await stat(path).catch(() => undefined);
    if (!st) return;
    let bytes = st.isDirectory() ? 0 : st.size;
    if (st.isDirectory()) {
      for (const f of await readdir(path).catch(() => [] as string[])) bytes += await sizeOf(join(path, f));
    }
    await rm(path, { recursive: true, force: true });
    if (listed) out.removed.push(rel);
    out.freedBytes += bytes;
  };
  for (const entry of await readdir(root, { withFileTypes: true }).catch(() => [])) {
    const app = appOf(entry.name.replace(/\.(blob|cidx-local)$/, ""));
    if (options.only !== undefined && app !== options.only) continue;
    if (!entry.isDirectory()) {
      // the layout before (an install removes its app's itself)
      await remove(entry.name, entry.name.endsWith(".blob"));
      continue;
    }
    const wanted = refs.get(app);
    if (!wanted && options.keepOthers) {
      const names = await readdir(join(root, entry.name)).catch(() => [] as string[]);
      out.kept.push(...names.filter((n) => SEED.test(n)).map((n) => `${entry.name}/${n}`));
      continue;
    }
    if (!wanted) {
      await remove(entry.name); // the app is no longer on the device
      continue;
    }
    const keep = new Set([
      ...wanted.flatMap((own) => own.slice(0, options.max ?? Infinity)),
      ...(options.also ? [options.also] : []),
    ]);
    const names = await readdir(join(root, entry.name)).catch(() => [] as string[]);
    for (const name of names) {
      const sha256 = SEED.exec(name)?.[1];
      if (sha256 && keep.has(sha256)) out.kept.push(`${entry.name}/${name}`);
      else if (sha256) {
        await remove(`${entry.name}/${name}`);
        await remove(`${entry.name}/${sha256}.cidx-local`, false);
      } else if (!/^[0-9a-f]{64}\.cidx-local$/.test(name) || !keep.has(name.slice(0, 64))) {
        await remove(`${entry.name}/${name}`, false);
      }
    }
  }
  return out;
}
