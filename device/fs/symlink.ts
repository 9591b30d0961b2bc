/**
 * Atomic symlink replacement: symlink(tmp) + rename(tmp, link) + fsync of the directory.
 * @module
 */
import { readdir, readlink, realpath, rename, rm, symlink, unlink } from "node:fs/promises";
import { basename, join } from "node:path";
import { randomBytes } from "node:crypto";
import { fsyncDir } from "./atomic_file.ts";

/** Points `<dir>/<name>` at `target` atomically (readers see the old or the new link). */
export async function switchLink(dir: string, name: string, target: string): Promise<void> {
  const tmp = join(dir, `.${name}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
  await symlink(target, tmp);
  try {
    await rename(tmp, join(dir, name));
  } catch (error) {
    await unlink(tmp).catch(() => {});
    throw error;
  }
  await fsyncDir(dir);
}

/** Removes `<dir>/<name>` if it is there (idempotent), then fsyncs `dir`. */
export async function removeLink(dir: string, name: string): Promise<void> {
  await unlink(join(dir, name)).catch((e) => {
    if (e.code !== "ENOENT") throw e;
  });
  await fsyncDir(dir);
}

/**
 * The link text to store for a release that `<dir>/<name>` points to: `releases/<id>` when it
 * resolves inside `<dir>/releases`, else the link as it is (radiodan layouts). `undefined` if absent.
 */
export async function normalisedLink(dir: string, name: string): Promise<string | undefined> {
  const path = join(dir, name);
  const raw = await readlink(path).catch(() => undefined);
  if (raw === undefined) return undefined;
  const real = await realpath(path).catch(() => undefined);
  const releases = await realpath(join(dir, "releases")).catch(() => undefined);
  if (real && releases && join(releases, basename(real)) === real) return `releases/${basename(real)}`;
  return raw;
}

/**
 * Removes leftovers of interrupted runs in an app directory: temp links (`.current.tmp-*`), and in
 * `releases/`, staging and trash directories (`.staging-*`, `.trash-*`). Call under the lock.
 */
export async function cleanLeftovers(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (/^\.(current|previous)\.tmp-/.test(name)) {
      await unlink(join(dir, name)).catch(() => {});
      removed.push(name);
    }
  }
  const releases = join(dir, "releases");
  for (const name of await readdir(releases).catch(() => [] as string[])) {
    if (name.startsWith(".staging-") || name.startsWith(".trash-")) {
      await rm(join(releases, name), { recursive: true, force: true });
      removed.push(`releases/${name}`);
    }
  }
  return removed;
}

/** Removes a release directory: renamed to `.trash-*` first (atomic), so a crash never leaves half a release. */
export async function removeRelease(releasesDir: string, id: string): Promise<void> {
  const trash = join(releasesDir, `.trash-${id}-${randomBytes(4).toString("hex")}`);
  await rename(join(releasesDir, id), trash);
  await fsyncDir(releasesDir);
  await rm(trash, { recursive: true, force: true });
}
