/**
 * `repo sign`: add a targets key holder's signature to the targets metadata staged in
 * `staged/targets.json` (written by a command that had fewer targets keys than root's threshold),
 * and publish it, with new snapshot and timestamp metadata, once it meets the threshold. Offline
 * holders each run it on their own machine with `--key FILE` and pass the staged file on.
 *
 * @example
 * ```ts ignore
 * import { command } from "./sign.ts";
 * await command.run(["--repo", "r", "--keys", "k", "--key", "targets.2.json"], { stdout: console.log, stderr: console.error, env: {}, stderrIsTTY: false });
 * ```
 * @module
 */
import { readFile } from "node:fs/promises";
import { type KeyPair, parseKeyFile } from "../../core/trust/mod.ts";
import { defineCommand, optional } from "../../device/cli/define_command.ts";
import { printResult } from "../../device/cli/print_result.ts";
import { UsageError } from "../../device/cli/usage_error.ts";
import { openRepo } from "./_open.ts";
import { REPO_CLI } from "./_cli.ts";
import { stagedNote } from "./_staged_note.ts";

const help = `Usage: drover-repo sign --repo DIR --keys DIR [--key FILE]… [--role targets] [--json]

Sign the targets metadata staged in DIR/staged/targets.json with --key FILE (a targets key file;
may be repeated) and the targets keys in --keys. Once it is signed by root's threshold of
targets keys it is published with new snapshot and timestamp metadata (their keys must be in
--keys; without them it stays staged, complete, for whoever holds them to run 'repo sign' again).

  --key FILE   a targets key file of another holder (repeatable)
  --role ROLE  the staged role: targets (the only one staged)
  --json       print one JSON document: { published, staged, versions }
`;

/** The `sign` subcommand. */
export const command = defineCommand({
  cli: REPO_CLI,
  name: "sign",
  summary: "add signatures to staged targets metadata; publish at threshold",
  help,
  options: { key: { type: "string", multiple: true }, role: { type: "string" } },
  async run(parsed, io) {
    const role = optional(parsed, "role") ?? "targets";
    if (role !== "targets") {
      throw new UsageError(`Cannot sign: only targets metadata is staged, not '${role}'`);
    }
    const keys: KeyPair[] = [];
    for (const file of (parsed.values.key ?? []) as string[]) {
      const text = await readFile(file, "utf8").catch((e) => {
        throw new UsageError(`Cannot sign: cannot read --key ${file}: ${(e as Error).message}`, { cause: e });
      });
      keys.push(UsageError.check(() => parseKeyFile(text)));
    }
    await using repo = await openRepo(parsed, io);
    const { versions, staged } = await repo.writer.signStaged(keys);
    printResult(io, parsed, {
      doc: { published: staged === undefined, staged: staged ?? null, versions },
      text: staged ? stagedNote(staged).trimEnd() : `published targets v${versions.targets}`,
    });
    return 0;
  },
});
