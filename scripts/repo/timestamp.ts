/**
 * `repo timestamp`: re-sign timestamp metadata (version + 1, fresh expiry) with the timestamp
 * key only. Run it from cron well within the timestamp expiry (default 1 day).
 *
 * @example
 * ```ts ignore
 * import { command } from "./timestamp.ts";
 * await command.run(["--repo", "r", "--keys", "k"], { stdout: console.log, stderr: console.error, env: {}, stderrIsTTY: false });
 * ```
 * @module
 */
import { defineCommand } from "../../device/cli/define_command.ts";
import { printResult } from "../../device/cli/print_result.ts";
import { openRepo } from "./_open.ts";
import { REPO_CLI } from "./_cli.ts";

const help = `Usage: drover-repo timestamp --repo DIR --keys DIR [--json]

Renew tuf/timestamp.json (version + 1, new expiry). Needs only the timestamp key in --keys.

  --json   print one JSON document: { versions }
`;

/** The `timestamp` subcommand. */
export const command = defineCommand({
  cli: REPO_CLI,
  name: "timestamp",
  summary: "renew timestamp metadata (cron)",
  help,
  options: {},
  async run(parsed, io) {
    await using repo = await openRepo(parsed, io);
    const { writer } = repo;
    const { versions } = await writer.renewTimestamp();
    printResult(io, parsed, { doc: { versions }, text: `timestamp v${versions.timestamp}` });
    return 0;
  },
});
