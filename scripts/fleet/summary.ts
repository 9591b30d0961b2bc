/**
 * `drover-fleet summary`: the fleet at a glance: devices by state, seen recently or not, by the
 * result of their latest install, and per app and ref how many devices run each commit. `--json`
 * prints the edge's summary document, so `drover-fleet summary --json | jq .lastInstall.error`
 * counts the devices whose latest install failed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { command } from "./summary.ts";
 * const out: string[] = [];
 * const code = await command.run(["--help"], { stdout: (t) => out.push(t), stderr: () => {}, env: {}, stderrIsTTY: false });
 * assert.ok(code === 0 && out.join("").startsWith("Usage: drover-fleet summary"));
 * ```
 * @module
 */
import { connect, fleetCommand, HELP_SHARED, printJson } from "./_operator.ts";
import { table, time } from "./_text.ts";
import type { SummaryDoc } from "./fleet_documents.ts";

const help = `Usage: drover-fleet summary [--json]

The fleet at a glance: devices by state, seen in the last 24 hours or stale, by the result of their
latest install (ok, error, rolled back, none), and per app and ref the devices on each commit.

  --json   the edge's summary document
           { at, devices: {total, accepted, pending, rejected}, seen: {since, recent, stale},
             apps: [{name, ref, devices, commits: [{commit, devices}]}],
             lastInstall: {ok, error, rolledBack, none} }
${HELP_SHARED}`;

/** The text view of the summary. */
export function summaryText(s: SummaryDoc): string {
  const n = (v: unknown) => (typeof v === "number" ? String(v) : "-");
  const { devices: d, seen, lastInstall: li } = s;
  let out = `devices       ${n(d.total)} (accepted ${n(d.accepted)}, pending ${n(d.pending)}, ` +
    `rejected ${n(d.rejected)})\n`;
  if (seen) out += `seen          ${n(seen.recent)} since ${time(seen.since)}, ${n(seen.stale)} stale\n`;
  if (li) {
    out += `last install  ok ${n(li.ok)}, error ${n(li.error)}, rolled back ${n(li.rolledBack)}, ` +
      `none ${n(li.none)}\n`;
  }
  out += `at            ${time(s.at)}\n\n`;
  const rows = s.apps.flatMap((a) => (a.commits ?? []).map((c) => [a.name, a.ref, c.commit, c.devices]));
  return out + table(["APP", "REF", "COMMIT", "DEVICES"], rows);
}

/** The `summary` subcommand. */
export const command = fleetCommand({
  name: "summary",
  summary: "devices by state, last install result, app and commit",
  help,
  options: {},
  async run(parsed, io) {
    const client = await connect(parsed, io);
    const summary = await client.summary();
    if (parsed.json) printJson(io, summary);
    else io.stdout(summaryText(summary));
    return 0;
  },
});
