/** Private: key files in the keys directory (`<keys>/<role>.json`, `<keys>/<role>.<n>.json` for more
 * holders of a role; mode 0600, never overwritten). */
import { chmod, mkdir, open, readdir, readFile, rename, stat } from "node:fs/promises";
import { join } from "node:path";
import { type KeyPair, parseKeyFile, type RoleKeys, type RoleName } from "../../core/trust/mod.ts";
import { syncDir } from "./fs_repo_store.ts";

export const ROLES: readonly RoleName[] = ["root", "targets", "snapshot", "timestamp"];

/** The key files present in `dir` (missing ones are left out). */
export async function readKeys(dir: string): Promise<Partial<RoleKeys>> {
  const keys: Partial<RoleKeys> = {};
  for (const role of ROLES) {
    let text: string;
    try {
      text = await readFile(join(dir, `${role}.json`), "utf8");
    } catch (e) {
      if ((e as { code?: string }).code === "ENOENT") continue;
      throw e;
    }
    try {
      keys[role] = parseKeyFile(text);
    } catch (e) {
      throw new Error(`Cannot read ${role} key in ${dir}: ${(e as Error).message}`, { cause: e });
    }
  }
  return keys;
}

/**
 * Every key file of each role in `dir`: `<role>.json`, then `<role>.<n>.json` (more holders of a
 * threshold, as `repo init --keys-per-role` writes them) in number order.
 */
export async function readKeyring(dir: string): Promise<Partial<Record<RoleName, KeyPair[]>>> {
  const ring: Partial<Record<RoleName, KeyPair[]>> = {};
  const first = await readKeys(dir);
  const names = await readdir(dir).catch((e) => {
    if ((e as { code?: string }).code === "ENOENT") return [] as string[];
    throw e;
  });
  for (const role of ROLES) {
    const more = names.flatMap((n) => {
      const m = new RegExp(`^${role}\\.(\\d+)\\.json$`).exec(n);
      return m ? [{ n: Number(m[1]), name: n }] : [];
    }).sort((a, b) => a.n - b.n);
    const keys = first[role] ? [first[role]] : [];
    for (const { name } of more) {
      try {
        keys.push(parseKeyFile(await readFile(join(dir, name), "utf8")));
      } catch (e) {
        throw new Error(`Cannot read ${role} key ${name} in ${dir}: ${(e as Error).message}`, { cause: e });
      }
    }
    if (keys.length > 0) ring[role] = keys;
  }
  return ring;
}

/** `Error` when any of `names` already exists in `dir`. */
export async function refuseExisting(dir: string, names: string[]): Promise<void> {
  for (const name of names) {
    const exists = await stat(join(dir, name)).then(() => true, () => false);
    if (exists) throw new Error(`Cannot write keys: ${join(dir, name)} exists (keys are never overwritten)`);
  }
}

/** Write one key file, mode 0600, failing if it exists. */
export async function writeKeyFile(dir: string, name: string, key: KeyPair): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, name);
  const fh = await open(path, "wx", 0o600);
  try {
    await fh.writeFile(JSON.stringify(key, null, 2) + "\n");
    await fh.sync();
  } finally {
    await fh.close();
  }
  await chmod(path, 0o600); // whatever the umask
  await syncDir(dir);
}

/** Move `from` to `to` in `dir`, refusing to replace an existing `to`. */
export async function moveKeyFile(dir: string, from: string, to: string): Promise<void> {
  await refuseExisting(dir, [to]);
  await rename(join(dir, from), join(dir, to));
  await syncDir(dir);
}
