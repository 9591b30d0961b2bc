/**
 * `repo init`: generate the four role keys (files mode 0600, never overwritten) and create an
 * empty repository: root v1 and empty targets, snapshot and timestamp.
 *
 * @example
 * ```ts ignore
 * import { command } from "./init.ts";
 * await command.run(["--repo", "repo", "--keys", "keys"], { stdout: console.log, stderr: console.error, env: {}, stderrIsTTY: false });
 * ```
 * @module
 */
import { mkdir } from "node:fs/promises";
import { generateKeyPair, RepositoryWriter, type RoleKeys } from "../../core/trust/mod.ts";
import { defineCommand, required } from "../../device/cli/define_command.ts";
import { printResult } from "../../device/cli/print_result.ts";
import { UsageError } from "../../device/cli/usage_error.ts";
import { refuseExisting, ROLES, writeKeyFile } from "./_keys.ts";
import { REPO_CLI } from "./_cli.ts";
import { FsRepoStore } from "./fs_repo_store.ts";
import { lockRepo } from "./_repo_lock.ts";

const help = `Usage: repo init --repo DIR --keys DIR [--expires-days N] [--json]

Create the root, targets, snapshot and timestamp keys in --keys (JSON files, mode 0600;
refuses to overwrite any) and an empty signed repository in --repo (tuf/1.root.json,
tuf/root.json, tuf/1.targets.json, tuf/1.snapshot.json, tuf/timestamp.json, releases.json).
Give devices tuf/1.root.json as their trusted root.

  --expires-days N  root metadata expiry in days (default 365)
  --json            print one JSON document: { repo, keys, keyids, versions }
`;

/** The `init` subcommand. */
export const command = defineCommand({
  cli: REPO_CLI,
  name: "init",
  summary: "create keys and an empty signed repository",
  help,
  options: { "expires-days": { type: "string" } },
  async run(parsed, io) {
    const v = parsed.values;
    const repoDir = required(parsed, "repo");
    const keysDir = required(parsed, "keys");
    let days: number | undefined;
    if (v["expires-days"] !== undefined) {
      days = Number(v["expires-days"]);
      if (!Number.isInteger(days) || days < 1 || days > 36500) {
        throw new UsageError(
          `Cannot init: --expires-days must be a whole number of days, got '${v["expires-days"]}'`,
        );
      }
    }
    const store = new FsRepoStore(repoDir);
    await mkdir(store.root, { recursive: true });
    await using _lock = await lockRepo(store.root, { parsed, io });
    if (await store.get("tuf/1.root.json") || await store.get("tuf/root.json")) {
      throw new Error(`Cannot init: ${repoDir} already holds a repository`);
    }
    await refuseExisting(keysDir, ROLES.map((r) => `${r}.json`));
    const keys = {} as RoleKeys;
    for (const role of ROLES) keys[role] = await generateKeyPair();
    for (const role of ROLES) await writeKeyFile(keysDir, `${role}.json`, keys[role]);
    const writer = await RepositoryWriter.init(store, keys, { expiresDays: days });
    const keyids = Object.fromEntries(ROLES.map((r) => [r, keys[r].keyid]));
    printResult(io, parsed, {
      doc: { repo: store.root, keys: keysDir, keyids, versions: writer.versions },
      text: `initialised ${store.root} (root v1); trusted root: ${store.root}/tuf/1.root.json`,
    });
    return 0;
  },
});
