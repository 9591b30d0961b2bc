/**
 * `drover-fleet rollouts`: the staged rollouts the edge knows, newest first: state, the signed
 * percent now, the edge's cap, devices in reach, outcomes and why it is in its state (a halt's
 * counts and top error codes). One page (`--limit`, from `--cursor`) or, with `--all`, every page,
 * as `devices` pages. `--json` prints the edge's rollout documents (one JSON array).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { command } from "./rollouts.ts";
 * const out: string[] = [];
 * const code = await command.run(["--help"], { stdout: (t) => out.push(t), stderr: () => {}, env: {}, stderrIsTTY: false });
 * assert.ok(code === 0 && out.join("").startsWith("Usage: drover-fleet rollouts"));
 * ```
 * @module
 */
import { ROLLOUT_ID } from "../../core/rollout/mod.ts";
import { numberOption, optional, type Parsed } from "../../device/cli/define_command.ts";
import { UsageError } from "../../device/cli/usage_error.ts";
import { appOption, connect, fleetCommand, HELP_SHARED, printJson } from "./_operator.ts";
import { rolloutsTable } from "./_rollout_text.ts";
import { safe } from "./_text.ts";
import type { RolloutQuery } from "./fleet_client.ts";
import type { RolloutDoc } from "./fleet_documents.ts";

const STATES = ["running", "paused", "halted", "ended", "done"];

const help = `Usage: drover-fleet rollouts [--app OWNER/APP] [--state STATE] [--all | --cursor ID] [--limit N]
                             [--json]

Lists the staged rollouts the edge knows, newest first: STATE (running, paused, halted, ended,
done), the signed percent NOW, the edge's CAP, devices in REACH of the devices on the app, devices
that succeeded (OK) or failed, rolled back or went silent (BAD), and the REASON of the state.

  --app OWNER/APP   only this app
  --state STATE     only rollouts in this state: ${STATES.join(", ")}
  --all             every matching rollout (follows the edge's cursors, --limit per request, default 500)
  --limit N         rollouts per page, 1 to 500 (default: the edge's, 50)
  --cursor ID       the page after this rollout id (printed on stderr when more rollouts follow)
  --json            the edge's rollout documents (one JSON array)
${HELP_SHARED}
Without --all, one page is listed; when more rollouts follow, stderr says so and names the cursor.
`;

/** The filters of the command line, checked before any request (usage errors). */
function queryOf(parsed: Parsed, limit: number | undefined): RolloutQuery {
  const query: RolloutQuery = {};
  const app = appOption(parsed), state = parsed.values.state;
  if (app !== undefined) query.app = app;
  if (typeof state === "string") {
    if (!STATES.includes(state)) throw new UsageError(`--state must be ${STATES.join(", ")}`);
    query.state = [state];
  }
  if (limit !== undefined) query.limit = limit;
  return query;
}

/** The `rollouts` subcommand. */
export const command = fleetCommand({
  name: "rollouts",
  summary: "staged rollouts: state, percent, cap, outcomes",
  help,
  options: {
    app: { type: "string" },
    state: { type: "string" },
    all: { type: "boolean" },
    limit: { type: "string" },
    cursor: { type: "string" },
  },
  async run(parsed, io) {
    const limit = numberOption(parsed, "limit", { min: 1, max: 500, integer: true });
    const query = queryOf(parsed, limit);
    const cursor = optional(parsed, "cursor");
    if (parsed.values.all && cursor !== undefined) throw new UsageError("--all and --cursor do not combine");
    if (cursor !== undefined && !ROLLOUT_ID.test(cursor)) {
      throw new UsageError(`--cursor must be a rollout id, got '${safe(cursor.slice(0, 80))}'`);
    }
    const client = await connect(parsed, io);
    let items: RolloutDoc[];
    let next: string | null = null;
    if (parsed.values.all) {
      items = await client.allRollouts(query);
    } else {
      ({ items, next } = await client.listRollouts({ ...query, cursor }));
    }
    if (parsed.json) printJson(io, items);
    else io.stdout(items.length > 0 ? rolloutsTable(items) : "no rollouts\n");
    if (next !== null) {
      io.stderr(
        `drover-fleet rollouts: ${items.length} listed, more follow: --all lists every one, ` +
          `--cursor ${safe(next)} the next page\n`,
      );
    }
    return 0;
  },
});
