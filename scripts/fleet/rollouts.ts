/**
 * `drover-fleet rollouts`: the staged rollouts the edge knows, newest first: state, the signed
 * percent now, the edge's cap, devices in reach, outcomes and why it is in its state (a halt's
 * counts and top error codes). `--json` prints the edge's rollout documents.
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
import { optional } from "../../device/cli/define_command.ts";
import { connect, fleetCommand, HELP_SHARED, printJson } from "./_operator.ts";
import { rolloutsTable } from "./_rollout_text.ts";

const help = `Usage: drover-fleet rollouts [--app NAME] [--state STATE] [--json]

Lists the staged rollouts the edge knows, newest first: STATE (running, paused, halted, ended,
done), the signed percent NOW, the edge's CAP, devices in REACH of the devices on the app, devices
that succeeded (OK) or failed, rolled back or went silent (BAD), and the REASON of the state.

  --app NAME      only this app (owner/app)
  --state STATE   only rollouts in this state
  --json          the edge's rollout documents (an array)
${HELP_SHARED}`;

/** The `rollouts` subcommand. */
export const command = fleetCommand({
  name: "rollouts",
  summary: "staged rollouts: state, percent, cap, outcomes",
  help,
  options: { app: { type: "string" }, state: { type: "string" } },
  async run(parsed, io) {
    const client = await connect(parsed, io);
    const app = optional(parsed, "app");
    const state = optional(parsed, "state");
    const items = await client.listRollouts({
      ...(app === undefined ? {} : { app }),
      ...(state === undefined ? {} : { state: [state] }),
    });
    if (parsed.json) printJson(io, items);
    else io.stdout(items.length > 0 ? rolloutsTable(items) : "no rollouts\n");
    return 0;
  },
});
