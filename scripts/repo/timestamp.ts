/**
 * `repo timestamp`: re-sign timestamp metadata (version + 1, fresh expiry) with the timestamp
 * key only. Run it from cron well within the timestamp expiry (default 1 day).
 *
 * @example
 * ```ts ignore
 * import { command } from "./timestamp.ts";
 * await command.run(["--repo", "r", "--keys", "k"], { stdout: console.log, stderr: console.error, env: {} });
 * ```
 * @module
 */
import { parse, report } from "./_args.ts";
import { openRepo } from "./_open.ts";
import type { RepoCommand } from "./command.ts";

const help = `Usage: repo timestamp --repo DIR --keys DIR [--json]

Renew tuf/timestamp.json (version + 1, new expiry). Needs only the timestamp key in --keys.

  --json   print one JSON document: { versions }
`;

/** The `timestamp` subcommand. */
export const command: RepoCommand = {
  name: "timestamp",
  summary: "renew timestamp metadata (cron)",
  help,
  async run(argv, io) {
    const v = parse(argv, {});
    if (v.help) return (io.stdout(help), 0);
    const { writer } = await openRepo(v);
    const { versions } = await writer.renewTimestamp();
    report(io, v.json, { versions }, `timestamp v${versions.timestamp}`);
    return 0;
  },
};
