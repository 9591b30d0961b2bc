/** Private: `pause`, `resume` and `end`, one command each over the same request. */
import type { Command } from "../../device/cli/command.ts";
import { connect, fleetCommand, HELP_SHARED, printJson } from "./_operator.ts";
import { rolloutIdArg } from "./_rollout_text.ts";
import { safe } from "./_text.ts";

/** The `pause`, `resume` or `end` subcommand. */
export function rolloutCommand(
  action: "pause" | "resume" | "end",
  text: { summary: string; about: string },
): Command {
  return fleetCommand({
    name: action,
    summary: text.summary,
    help: `Usage: drover-fleet ${action} ID [--json]\n\n${text.about}\n\n` +
      "  --json   the edge's document of the rollout afterwards\n" + HELP_SHARED,
    options: {},
    positionals: { min: 1, max: 1 },
    async run(parsed, io) {
      const id = rolloutIdArg(parsed);
      const client = await connect(parsed, io);
      const rollout = await client.setRollout(id, action);
      if (parsed.json) printJson(io, rollout);
      else io.stdout(`${safe(rollout.id)} ${safe(rollout.state)}\n`);
      return 0;
    },
  });
}
