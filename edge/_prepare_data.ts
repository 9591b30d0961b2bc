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

/** The first-start message (stderr). */
export function firstStartNotice(root: string, url: string): string {
  const rootFile = join(root, "tuf", "1.root.json");
  return [
    `Created a development repository in ${root} (keys in ${join(root, "keys")}; keep them private).`,
    `It holds the app drover/hello (ref main) and an image for raspberrypi4-64 (alias rpi4).`,
    `Point drover at it (drover is dist/drover.mjs after \`deno task build\`: node dist/drover.mjs …):`,
    `  drover add --target ./apps --app drover/hello --ref main`,
    `  drover update --api ${url} --trusted-root ${rootFile} --target ./apps --workspace ./workspace`,
    `  drover image get rpi4 latest --api ${url} --trusted-root ${rootFile} --output os.img`,
    `Publish more with: deno task repo add-app --repo ${root} --keys ${join(root, "keys")} …`,
  ].join("\n");
}
