/**
 * `repo rotate-key`: replace one role's key. A new key is generated, root v+1 is signed by the
 * current root key (and the new one when rotating root), and the other roles are re-signed.
 * The old key file is kept as `<role>.<keyid>.retired.json`; no key file is ever overwritten.
 *
 * @example
 * ```ts ignore
 * import { command } from "./rotate_key.ts";
 * await command.run(["--repo", "r", "--keys", "k", "--role", "timestamp"], { stdout: console.log, stderr: console.error, env: {}, stderrIsTTY: false });
 * ```
 * @module
 */
import { generateKeyPair, type RoleName } from "../../core/trust/mod.ts";
import { defineCommand, required } from "../../device/cli/define_command.ts";
import { printResult } from "../../device/cli/print_result.ts";
import { UsageError } from "../../device/cli/usage_error.ts";
import { moveKeyFile, readKeys, refuseExisting, ROLES, writeKeyFile } from "./_keys.ts";
import { openRepo } from "./_open.ts";
import { REPO_CLI } from "./_cli.ts";

const help =
  `Usage: drover-repo rotate-key --repo DIR --keys DIR --role root|targets|snapshot|timestamp [--json]

Generate a new key for the role and sign a new root version that lists it instead of the old
one (signed by the current root key, and also by the new key when rotating root). For other
roles, targets, snapshot and timestamp are re-signed. The old key file is renamed to
<role>.<keyid>.retired.json. Devices follow the root chain (tuf/<N>.root.json) on their next check.

  --json   print one JSON document: { role, keyid, retired, versions }
`;

/** The `rotate-key` subcommand. */
export const command = defineCommand({
  cli: REPO_CLI,
  name: "rotate-key",
  summary: "replace a role's key (new root version)",
  help,
  options: { role: { type: "string" } },
  async run(parsed, io) {
    const role = required(parsed, "role") as RoleName;
    if (!ROLES.includes(role)) throw new UsageError(`Cannot rotate key: unknown role '${role}'`);
    const keysDir = required(parsed, "keys");
    const old = (await readKeys(keysDir))[role];
    if (!old) throw new UsageError(`Cannot rotate key: no ${role} key in ${keysDir}`);
    const retired = `${role}.${old.keyid.slice(0, 16)}.retired.json`;
    await refuseExisting(keysDir, [`${role}.next.json`, retired]);
    await using repo = await openRepo(parsed, io);
    const { writer } = repo;
    const key = await generateKeyPair();
    await writeKeyFile(keysDir, `${role}.next.json`, key);
    const { versions } = await writer.rotateKey(role, key);
    await moveKeyFile(keysDir, `${role}.json`, retired);
    await moveKeyFile(keysDir, `${role}.next.json`, `${role}.json`);
    printResult(io, parsed, {
      doc: { role, keyid: key.keyid, retired, versions },
      text: `${role} key ${key.keyid}: root v${versions.root}`,
    });
    return 0;
  },
});
