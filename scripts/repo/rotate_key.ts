/**
 * `repo rotate-key`: replace one role's key. A new key is generated, root v+1 is signed by the
 * current root key (and the new one when rotating root), and the other roles are re-signed.
 * The old key file is kept as `<role>.<keyid>.retired.json`; no key file is ever overwritten.
 *
 * @example
 * ```ts ignore
 * import { command } from "./rotate_key.ts";
 * await command.run(["--repo", "r", "--keys", "k", "--role", "timestamp"], { stdout: console.log, stderr: console.error, env: {} });
 * ```
 * @module
 */
import { generateKeyPair, type RoleName } from "../../core/trust/mod.ts";
import { need, parse, report, UsageError } from "./_args.ts";
import { moveKeyFile, readKeys, refuseExisting, ROLES, writeKeyFile } from "./_keys.ts";
import { openRepo } from "./_open.ts";
import type { RepoCommand } from "./command.ts";

const help = `Usage: repo rotate-key --repo DIR --keys DIR --role root|targets|snapshot|timestamp [--json]

Generate a new key for the role and sign a new root version that lists it instead of the old
one (signed by the current root key, and also by the new key when rotating root). For other
roles, targets, snapshot and timestamp are re-signed. The old key file is renamed to
<role>.<keyid>.retired.json. Devices follow the root chain (tuf/<N>.root.json) on their next check.

  --json   print one JSON document: { role, keyid, retired, versions }
`;

/** The `rotate-key` subcommand. */
export const command: RepoCommand = {
  name: "rotate-key",
  summary: "replace a role's key (new root version)",
  help,
  async run(argv, io) {
    const v = parse(argv, { role: { type: "string" } });
    if (v.help) return (io.stdout(help), 0);
    const role = need(v, "role") as RoleName;
    if (!ROLES.includes(role)) throw new UsageError(`Cannot rotate key: unknown role '${role}'`);
    const keysDir = need(v, "keys");
    const old = (await readKeys(keysDir))[role];
    if (!old) throw new UsageError(`Cannot rotate key: no ${role} key in ${keysDir}`);
    const retired = `${role}.${old.keyid.slice(0, 16)}.retired.json`;
    await refuseExisting(keysDir, [`${role}.next.json`, retired]);
    const { writer } = await openRepo(v);
    const key = await generateKeyPair();
    await writeKeyFile(keysDir, `${role}.next.json`, key);
    const { versions } = await writer.rotateKey(role, key);
    await moveKeyFile(keysDir, `${role}.json`, retired);
    await moveKeyFile(keysDir, `${role}.next.json`, `${role}.json`);
    report(
      io,
      v.json,
      { role, keyid: key.keyid, retired, versions },
      `${role} key ${key.keyid}: root v${versions.root}`,
    );
    return 0;
  },
};
