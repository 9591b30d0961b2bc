/**
 * First start of the Deno entry: with an empty store and no keys, create a development
 * repository (keys under `<data>/keys`, written first) and say how to point `drover` at it.
 * Otherwise load the online keys found there.
 * @module
 */
import { join } from "node:path";
import type { KeyPair } from "../core/trust/mod.ts";
import { createDevRepository, generateKeys } from "./dev_repository.ts";
import type { FsStorage } from "./storage/fs_storage.ts";
import { readOnlineKeys, writeKeys } from "./key_files.ts";

/** What the entry needs after preparing its data directory. */
export interface PreparedData {
  keys: { snapshot?: KeyPair; timestamp?: KeyPair };
  /** True when a development repository was just created. */
  created: boolean;
}

/** Creates the development repository if `storage` is empty; returns the online keys. */
export async function prepareData(storage: FsStorage): Promise<PreparedData> {
  const keysDir = join(storage.root, "keys");
  if (await storage.get("tuf/root.json")) return { keys: await readOnlineKeys(keysDir), created: false };
  const keys = await generateKeys();
  await writeKeys(keysDir, keys);
  await createDevRepository(storage, { keys });
  return { keys: { snapshot: keys.snapshot, timestamp: keys.timestamp }, created: true };
}

/**
 * The first-start message (stderr). Its indented lines are commands that work as printed, in order,
 * from the repository root (paths under `root` are as given: the entry passes an absolute one).
 */
export function firstStartNotice(root: string, url: string): string {
  const rootFile = shellWord(join(root, "tuf", "1.root.json"));
  return [
    `Created a development repository in ${root} (keys in ${join(root, "keys")}; keep them private).`,
    `It holds the app drover/hello (ref main) and an image for raspberrypi4-64 (alias rpi4).`,
    `Point drover at it: run these in order, from the repository root (drover is \`node dist/drover.mjs\``,
    `after \`deno task build\`):`,
    `  mkdir -p ./apps`,
    `  drover add --target ./apps --app drover/hello --ref main`,
    `  drover update --api ${
      shellWord(url)
    } --trusted-root ${rootFile} --target ./apps --workspace ./workspace`,
    `  drover image get rpi4 latest --api ${shellWord(url)} --trusted-root ${rootFile} --output os.img`,
    `Publish more with: deno task repo add-app --repo ${root} --keys ${join(root, "keys")} …`,
  ].join("\n");
}

/** `word` as one shell word: as is when it has no special characters, else single-quoted. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
