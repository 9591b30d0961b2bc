/**
 * `repo init`: generate the four role keys (Ed25519, or ECDSA with `--key-type ecdsa`; several root
 * and targets keys with `--keys-per-role` and `--threshold`; files mode 0600, never overwritten)
 * and create an empty repository: root v1 and empty targets, snapshot and timestamp.
 *
 * @example
 * ```ts ignore
 * import { command } from "./init.ts";
 * await command.run(["--repo", "repo", "--keys", "keys"], { stdout: console.log, stderr: console.error, env: {}, stderrIsTTY: false });
 * ```
 * @module
 */
import { mkdir } from "node:fs/promises";
import {
  generateKeyPair,
  type KeyPair,
  type KeyType,
  RepositoryWriter,
  type RoleName,
} from "../../core/trust/mod.ts";
import { defineCommand, numberOption, required } from "../../device/cli/define_command.ts";
import { printResult } from "../../device/cli/print_result.ts";
import { UsageError } from "../../device/cli/usage_error.ts";
import { refuseExisting, ROLES, writeKeyFile } from "./_keys.ts";
import { REPO_CLI } from "./_cli.ts";
import { FsRepoStore } from "./fs_repo_store.ts";
import { lockRepo } from "./_repo_lock.ts";

const help = `Usage: drover-repo init --repo DIR --keys DIR [--expires-days N] [--key-type ed25519|ecdsa]
                        [--keys-per-role M --threshold N] [--json]

Create the root, targets, snapshot and timestamp keys in --keys (JSON files, mode 0600;
refuses to overwrite any) and an empty signed repository in --repo (tuf/1.root.json,
tuf/root.json, tuf/1.targets.json, tuf/1.snapshot.json, tuf/timestamp.json, releases.json).
Give devices tuf/1.root.json as their trusted root.

  --expires-days N    root metadata expiry in days (default 365)
  --key-type TYPE     ed25519 (default) or ecdsa (ecdsa-sha2-nistp256)
  --keys-per-role M   M root keys and M targets keys (root.json, root.2.json … root.M.json;
                      likewise targets): give each file to one holder (default 1)
  --threshold N       signatures root and targets metadata need, of their M keys (default 1).
                      Commands run with fewer targets keys stage targets metadata in
                      staged/targets.json; 'repo sign' adds the other holders' signatures
  --json              print one JSON document: { repo, keys, keyids, thresholds, versions }
`;

/** The `init` subcommand. */
export const command = defineCommand({
  cli: REPO_CLI,
  name: "init",
  summary: "create keys and an empty signed repository",
  help,
  options: {
    "expires-days": { type: "string" },
    "key-type": { type: "string" },
    "keys-per-role": { type: "string" },
    threshold: { type: "string" },
  },
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
    const refuseRepository = async () => {
      if (await store.get("tuf/1.root.json") || await store.get("tuf/root.json")) {
        throw new Error(`Cannot init: ${repoDir} already holds a repository`);
      }
    };
    await refuseRepository();
    const keyType = (v["key-type"] ?? "ed25519") as KeyType;
    if (keyType !== "ed25519" && keyType !== "ecdsa") {
      throw new UsageError(`Cannot init: --key-type must be ed25519 or ecdsa, got '${keyType}'`);
    }
    const perRole = numberOption(parsed, "keys-per-role", { min: 1, max: 16, integer: true }) ?? 1;
    const threshold = numberOption(parsed, "threshold", { min: 1, max: perRole, integer: true }) ?? 1;
    // several holders for the offline roles; snapshot and timestamp keys stay online, one each
    const count = (role: RoleName) => (role === "root" || role === "targets" ? perRole : 1);
    const fileOf = (role: RoleName, i: number) => (i === 0 ? `${role}.json` : `${role}.${i + 1}.json`);
    await refuseExisting(
      keysDir,
      ROLES.flatMap((r) => Array.from({ length: count(r) }, (_, i) => fileOf(r, i))),
    );
    await mkdir(store.root, { recursive: true });
    await using _lock = await lockRepo(store.root, { parsed, io });
    await refuseRepository(); // again under the lock: another init may have been first
    const keys = {} as Record<RoleName, KeyPair[]>;
    for (const role of ROLES) {
      keys[role] = [];
      for (let i = 0; i < count(role); i++) keys[role].push(await generateKeyPair({ keyType }));
    }
    for (const role of ROLES) {
      for (const [i, key] of keys[role].entries()) await writeKeyFile(keysDir, fileOf(role, i), key);
    }
    const thresholds = { root: threshold, targets: threshold };
    const writer = await RepositoryWriter.init(store, keys, { expiresDays: days, thresholds });
    const keyids = Object.fromEntries(ROLES.map((r) => [r, keys[r][0]!.keyid]));
    printResult(io, parsed, {
      doc: { repo: store.root, keys: keysDir, keyids, thresholds, versions: writer.versions },
      text: `initialised ${store.root} (root v1); trusted root: ${store.root}/tuf/1.root.json`,
    });
    return 0;
  },
});
