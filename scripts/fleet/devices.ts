/**
 * `drover-fleet devices`: the devices the edge knows, filtered by app, commit, state and labels;
 * one page (`--limit`, from `--cursor`) or, with `--all`, every page. `--json` prints one JSON
 * array of the API's device documents, so `drover-fleet devices --all --commit C --json | jq length`
 * counts the devices that run commit C.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { command } from "./devices.ts";
 * const out: string[] = [];
 * const code = await command.run(["--help"], { stdout: (t) => out.push(t), stderr: () => {}, env: {}, stderrIsTTY: false });
 * assert.ok(code === 0 && out.join("").startsWith("Usage: drover-fleet devices "));
 * ```
 * @module
 */
import { parseLabel } from "../../core/fleet/labels.ts";
import { isCommit } from "../../core/names/mod.ts";
import { numberOption, optional, type Parsed } from "../../device/cli/define_command.ts";
import { UsageError } from "../../device/cli/usage_error.ts";
import { appOption, connect, fleetCommand, HELP_SHARED, printJson } from "./_operator.ts";
import { labelsText, safe, short, table, time } from "./_text.ts";
import type { DeviceQuery } from "./fleet_client.ts";
import type { DeviceDoc } from "./fleet_documents.ts";

const STATES = ["accepted", "pending", "rejected"];

const help =
  `Usage: drover-fleet devices [--app OWNER/APP] [--commit SHA] [--state STATE] [--label KEY=VALUE]…
                            [--all | --cursor ID] [--limit N] [--json]

Lists devices by id. Filters combine: every one given must match.

  --app OWNER/APP     devices that run this app
  --commit SHA        devices that run this commit (of --app, when given); its first 7 or more
                      hex digits are enough (as the APPS column shows 12)
  --state STATE       accepted, pending or rejected
  --label KEY=VALUE   devices carrying this label (repeat: all of them)
  --all               every matching device (follows the edge's cursors, --limit per request, default 500)
  --limit N           devices per page, 1 to 500 (default: the edge's, 50)
  --cursor ID         the page after this device id (printed on stderr when more devices follow)
  --json              one JSON array of the edge's device documents
                      { id, state, deviceType, labels, lastSeen, apps, lastInstall }
${HELP_SHARED}
Without --all, one page is listed; when more devices follow, stderr says so and names the cursor.
Count in a pipeline with --all:  drover-fleet devices --all --commit SHA --json | jq length
`;

function queryOf(parsed: Parsed, limit: number | undefined): DeviceQuery {
  const query: DeviceQuery = {};
  const { values } = parsed;
  const app = appOption(parsed), commit = values.commit;
  if (app !== undefined) query.app = app;
  if (typeof commit === "string") {
    const shown = safe(commit.slice(0, 80));
    if (!isCommit(commit)) {
      throw new UsageError(
        `--commit must be a commit or its first 7 or more digits (lower-case hex), got '${shown}'`,
      );
    }
    query.commit = commit;
  }
  const state = values.state;
  if (typeof state === "string") {
    if (!STATES.includes(state)) throw new UsageError(`--state must be accepted, pending or rejected`);
    query.state = state;
  }
  const labels = (values.label ?? []) as string[];
  if (labels.length > 0) {
    query.labels = {};
    for (const pair of labels) {
      const { key, value } = UsageError.check(() => parseLabel(pair));
      if (Object.hasOwn(query.labels, key) && query.labels[key] !== value) {
        throw new UsageError(`--label ${key} given twice with different values`);
      }
      query.labels[key] = value;
    }
  }
  if (limit !== undefined) query.limit = limit;
  return query;
}

/** The devices table. */
export function devicesText(items: readonly DeviceDoc[]): string {
  return table(
    ["ID", "STATE", "TYPE", "LAST SEEN", "APPS", "LAST INSTALL", "LABELS"],
    items.map((d) => [
      d.id,
      d.state,
      d.deviceType,
      time(d.lastSeen),
      (d.apps ?? []).map((a) => `${a.name}@${short(a.commit)}`).join(",") || "-",
      d.lastInstall
        ? `${d.lastInstall.result} ${d.lastInstall.stage} ${d.lastInstall.app}@${
          short(d.lastInstall.commit)
        }` +
          (d.lastInstall.errorCode ? ` ${d.lastInstall.errorCode}` : "")
        : "-",
      labelsText(d.labels),
    ]),
  );
}

/** The `devices` subcommand. */
export const command = fleetCommand({
  name: "devices",
  summary: "list devices (filters: app, commit, state, labels)",
  help,
  options: {
    app: { type: "string" },
    commit: { type: "string" },
    state: { type: "string" },
    label: { type: "string", multiple: true },
    all: { type: "boolean" },
    limit: { type: "string" },
    cursor: { type: "string" },
  },
  async run(parsed, io) {
    const limit = numberOption(parsed, "limit", { min: 1, max: 500, integer: true });
    const query = queryOf(parsed, limit);
    const cursor = optional(parsed, "cursor");
    if (parsed.values.all && cursor !== undefined) throw new UsageError("--all and --cursor do not combine");
    const client = await connect(parsed, io);
    let items: DeviceDoc[];
    let next: string | null = null;
    if (parsed.values.all) {
      items = await client.allDevices(query);
    } else {
      ({ items, next } = await client.listDevices({ ...query, cursor }));
    }
    if (parsed.json) printJson(io, items);
    else io.stdout(devicesText(items));
    if (next !== null) {
      io.stderr(
        `drover-fleet devices: ${items.length} listed, more follow: --all lists every one, ` +
          `--cursor ${safe(next)} the next page\n`,
      );
    }
    return 0;
  },
});
