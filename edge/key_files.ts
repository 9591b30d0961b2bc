/**
 * Key files of the Deno entry (`<DROVER_DATA>/keys/<role>.json`, mode 0600, never overwritten).
 * @module
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseKeyFile } from "../core/trust/mod.ts";
import type { KeyPair, RoleKeys } from "../core/trust/mod.ts";

/** Reads the snapshot and timestamp keys present in `dir` (missing files are skipped). */
export async function readOnlineKeys(dir: string): Promise<{ snapshot?: KeyPair; timestamp?: KeyPair }> {
  const out: { snapshot?: KeyPair; timestamp?: KeyPair } = {};
  for (const role of ["snapshot", "timestamp"] as const) {
    try {
      out[role] = parseKeyFile(await readFile(join(dir, `${role}.json`), "utf8"));
    } catch (error) {
      if ((error as { code?: string }).code !== "ENOENT") throw error;
    }
  }
  return out;
}

/** Writes all four keys into `dir` (0600); refuses to overwrite an existing file. */
export async function writeKeys(dir: string, keys: RoleKeys): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const role of ["root", "targets", "snapshot", "timestamp"] as const) {
    await writeFile(join(dir, `${role}.json`), JSON.stringify(keys[role], null, 2) + "\n", {
      mode: 0o600,
      flag: "wx",
    });
  }
}
