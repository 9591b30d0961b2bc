/**
 * Private: key files of delegated roles in a keys directory: `<keys>/<role>.json`, then
 * `<role>.2.json`, `<role>.3.json`, … for a role whose threshold needs more than one key (mode 0600,
 * never overwritten, as the top-level role keys of `_keys.ts`).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { generateKeyPair, type KeyPair, parseKeyFile } from "../../core/trust/mod.ts";
import { refuseExisting, writeKeyFile } from "./_keys.ts";

/** The file name of key `index` (0-based) of role `name`. */
export function roleKeyFile(name: string, index: number): string {
  return index === 0 ? `${name}.json` : `${name}.${index + 1}.json`;
}

/** The keys of role `name` in `dir`: `<name>.json`, `<name>.2.json`, … up to the first missing one. */
export async function readRoleKeys(dir: string, name: string): Promise<KeyPair[]> {
  const keys: KeyPair[] = [];
  for (let i = 0;; i++) {
    let text: string;
    try {
      text = await readFile(join(dir, roleKeyFile(name, i)), "utf8");
    } catch (e) {
      if ((e as { code?: string }).code === "ENOENT") return keys;
      throw e;
    }
    keys.push(parseRoleKey(text, `${roleKeyFile(name, i)} in ${dir}`));
  }
}

/** Read one key file given by path (`--key-file`). */
export async function readKeyFile(path: string): Promise<KeyPair> {
  return parseRoleKey(await readFile(path, "utf8"), path);
}

/** Generate `count` keys of role `name` into `dir` (refusing to overwrite any file). */
export async function generateRoleKeys(dir: string, name: string, count: number): Promise<KeyPair[]> {
  const files = Array.from({ length: count }, (_, i) => roleKeyFile(name, i));
  await refuseExisting(dir, files);
  const keys: KeyPair[] = [];
  for (const file of files) {
    const key = await generateKeyPair();
    await writeKeyFile(dir, file, key);
    keys.push(key);
  }
  return keys;
}

function parseRoleKey(text: string, where: string): KeyPair {
  try {
    return parseKeyFile(text);
  } catch (e) {
    throw new Error(`Cannot read key ${where}: ${(e as Error).message}`, { cause: e });
  }
}
