/**
 * `repo delegate`: let a team sign its own targets. Top-level targets (the targets key) list a
 * delegated role with its keys, threshold, terminating flag and path patterns; the role's own
 * metadata (`tuf/<N>.<role>.json`) is signed with the team's keys; snapshot and timestamp follow.
 * The team then publishes with `repo add-app --role ROLE`, needing its role key (and the snapshot
 * and timestamp keys), never the targets key.
 *
 * @example
 * ```ts ignore
 * import { command } from "./delegate.ts";
 * await command.run(["--repo", "r", "--keys", "k", "--name", "acme", "--paths", "apps/acme/*\/*\/*", "--generate"],
 *   { stdout: console.log, stderr: console.error, env: {}, stderrIsTTY: false });
 * ```
 * @module
 */
import { isDelegatedRoleName, type KeyPair } from "../../core/trust/mod.ts";
import { defineCommand, numberOption, required } from "../../device/cli/define_command.ts";
import { printResult } from "../../device/cli/print_result.ts";
import { UsageError } from "../../device/cli/usage_error.ts";
import { openRepo } from "./_open.ts";
import { generateRoleKeys, readKeyFile, readRoleKeys, roleKeyFile } from "./_role_keys.ts";
import { REPO_CLI } from "./_cli.ts";

const help =
  `Usage: drover-repo delegate --repo DIR --keys DIR --name ROLE --paths PATTERN [--paths PATTERN]...
                            [--generate | --key-file FILE [--key-file FILE]...] [--threshold N]
                            [--terminating] [--json]

Delegate target paths to a team's role: top-level targets (signed with the targets key in --keys)
list ROLE with its keys, threshold and paths; the role's metadata tuf/<N>.ROLE.json is signed with
the role's keys; snapshot and timestamp are re-signed. Run it again to change a role's paths, keys,
threshold or terminating flag (its targets are kept).

  --name ROLE        lower-case letters, digits, _ and - (not root, targets, snapshot or timestamp)
  --paths PATTERN    target paths the role may sign (repeat for more): shell-style wildcards matched
                     segment by segment, * never crosses a /. A team's apps, whose targets are
                     apps/<owner>/<app>/<ref>/<commit>.tar.gz: 'apps/OWNER/*/*/*'
  --generate         generate the role's keys (as many as --threshold) into --keys as ROLE.json,
                     ROLE.2.json, … (mode 0600, never overwritten); hand them to the team
  --key-file FILE    a key file of the role, as repo init writes them (repeat for more keys)
                     Without --generate or --key-file: ROLE.json, ROLE.2.json, … in --keys.
  --threshold N      signatures the role's metadata needs (default 1)
  --terminating      once ROLE is delegated a path, roles listed after it are never searched for it
  --json             print one JSON document: { role, keyids, paths, threshold, terminating, versions,
                     delegatedVersions }

The team publishes with: repo add-app --role ROLE --repo DIR --keys TEAMKEYS …, TEAMKEYS holding
ROLE.json (and the snapshot and timestamp keys).
`;

/** The `delegate` subcommand. */
export const command = defineCommand({
  cli: REPO_CLI,
  name: "delegate",
  summary: "delegate target paths to a team's role (its own key)",
  help,
  options: {
    name: { type: "string" },
    paths: { type: "string", multiple: true },
    generate: { type: "boolean" },
    "key-file": { type: "string", multiple: true },
    threshold: { type: "string" },
    terminating: { type: "boolean" },
  },
  async run(parsed, io) {
    const v = parsed.values;
    const name = required(parsed, "name");
    if (!isDelegatedRoleName(name)) {
      throw new UsageError(
        `Cannot delegate: '${name}' is not a role name (lower-case letters, digits, _ and -; not a top-level role)`,
      );
    }
    const paths = (v.paths as string[] | undefined) ?? [];
    if (paths.length === 0) throw new UsageError("missing --paths");
    for (const p of paths) {
      if (p === "" || p.startsWith("/") || p.includes("\\") || p.split("/").includes("..")) {
        throw new UsageError(
          `Cannot delegate: --paths '${p}' is not a relative pattern like apps/acme/*/*/*`,
        );
      }
    }
    const threshold = numberOption(parsed, "threshold", { min: 1, integer: true }) ?? 1;
    const keyFiles = (v["key-file"] as string[] | undefined) ?? [];
    if (v.generate && keyFiles.length > 0) {
      throw new UsageError("Cannot delegate: --generate or --key-file, not both");
    }
    const keysDir = required(parsed, "keys");
    await using repo = await openRepo(parsed, io);
    let keys: KeyPair[];
    if (v.generate) keys = await generateRoleKeys(keysDir, name, threshold);
    else if (keyFiles.length > 0) keys = await Promise.all(keyFiles.map((f) => readKeyFile(f)));
    else keys = await readRoleKeys(keysDir, name);
    if (keys.length < threshold) {
      throw new UsageError(
        `Cannot delegate: ${keys.length} key(s) of role '${name}' for threshold ${threshold} ` +
          `(use --generate, --key-file FILE, or put ${roleKeyFile(name, 0)} in ${keysDir})`,
      );
    }
    const terminating = v.terminating === true;
    const { versions } = await repo.writer.delegate({ name, keys, threshold, terminating, paths }, keys);
    const keyids = [...new Set(keys.map((k) => k.keyid))];
    const delegatedVersions = repo.writer.delegatedVersions;
    printResult(io, parsed, {
      doc: { role: name, keyids, paths, threshold, terminating, versions, delegatedVersions },
      text: `delegated ${paths.join(", ")} to role ${name} (v${delegatedVersions[name]}, ` +
        `threshold ${threshold} of ${keyids.length} key(s)${terminating ? ", terminating" : ""}); ` +
        `targets v${versions.targets}` +
        (v.generate ? `\nrole keys: ${keysDir}/${roleKeyFile(name, 0)}` : ""),
    });
    return 0;
  },
});
