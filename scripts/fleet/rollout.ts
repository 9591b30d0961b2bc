/**
 * `drover-fleet rollout ID`: one staged rollout: its release, state and reason, signed steps and
 * halt rule, the percent now and the edge's cap, devices in reach, outcomes and top error codes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { command } from "./rollout.ts";
 * const out: string[] = [];
 * const code = await command.run(["--help"], { stdout: (t) => out.push(t), stderr: () => {}, env: {}, stderrIsTTY: false });
 * assert.ok(code === 0 && out.join("").startsWith("Usage: drover-fleet rollout ID"));
 * ```
 * @module
 */
import { connect, fleetCommand, HELP_SHARED, printJson } from "./_operator.ts";
import { rolloutIdArg, rolloutText } from "./_rollout_text.ts";

const help = `Usage: drover-fleet rollout ID [--json]

Shows one staged rollout (ID: as \`drover-fleet rollouts\` lists it, e.g. owner:app:ref:serial:commit).

  --json   the edge's rollout document
${HELP_SHARED}`;

/** The `rollout` subcommand. */
export const command = fleetCommand({
  name: "rollout",
  summary: "one staged rollout",
  help,
  options: {},
  positionals: { min: 1, max: 1 },
  async run(parsed, io) {
    const id = rolloutIdArg(parsed);
    const client = await connect(parsed, io);
    const rollout = await client.getRollout(id);
    if (parsed.json) printJson(io, rollout);
    else io.stdout(rolloutText(rollout));
    return 0;
  },
});
