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

/** Where the notice's commands find Drover: its checkout and how Deno was started. */
export interface NoticeContext {
  /** The Drover checkout (absolute): `dist/` and `deno.json` are there. */
  project: string;
  /** The command that runs Deno as the user started it: `deno`, or `npx -y deno@<version>`. */
  deno: string;
}

/**
 * The first-start message (stderr). Its indented lines are commands that work as printed, in order,
 * from any directory (the bundles and `deno.json` by absolute path; `./apps` and `./workspace` where
 * they are run), on a machine with only Node and npm too.
 */
export function firstStartNotice(root: string, url: string, context: NoticeContext): string {
  const rootFile = shellWord(join(root, "tuf", "1.root.json"));
  const api = shellWord(url);
  const drover = `node ${shellWord(join(context.project, "dist", "drover.mjs"))}`;
  const repo = `node ${shellWord(join(context.project, "dist", "drover-repo.mjs"))}`;
  return [
    `Created a development repository in ${root} (keys in ${join(root, "keys")}; keep them private).`,
    `It holds the app drover/hello (ref main) and an image for raspberrypi4-64 (alias rpi4).`,
    `Point drover at it: run these in order, from any directory (the first builds drover, dist/drover.mjs):`,
    `  ${context.deno} task --config ${shellWord(join(context.project, "deno.json"))} build`,
    `  mkdir -p ./apps`,
    `  ${drover} add --target ./apps --app drover/hello --ref main`,
    `  ${drover} update --api ${api} --trusted-root ${rootFile} --target ./apps --workspace ./workspace`,
    `  ${drover} image get rpi4 latest --api ${api} --trusted-root ${rootFile} --output os.img`,
    `Publish more with: ${repo} add-app --repo ${shellWord(root)} --keys ${shellWord(join(root, "keys"))} …`,
  ].join("\n");
}

/** `word` as one shell word: as is when it has no special characters, else single-quoted. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
