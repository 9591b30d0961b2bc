/** Private: `accept` and `reject`, one command each over the same request. */
import type { Command } from "../../device/cli/command.ts";
import { connect, deviceIdArg, fleetCommand, HELP_SHARED, printJson } from "./_operator.ts";
import { safe } from "./_text.ts";

/** The `accept` or `reject` subcommand. */
export function stateCommand(action: "accept" | "reject", text: { summary: string; about: string }): Command {
  return fleetCommand({
    name: action,
    summary: text.summary,
    help: `Usage: drover-fleet ${action} ID [--json]\n\n${text.about}\n\n` +
      "  --json   the edge's document of the device afterwards\n" + HELP_SHARED,
    options: {},
    positionals: { min: 1, max: 1 },
    async run(parsed, io) {
      const id = deviceIdArg(parsed);
      const client = await connect(parsed, io);
      const device = await client.setState(id, action);
      if (parsed.json) printJson(io, device);
      else io.stdout(`${safe(device.id)} ${safe(device.state)}\n`);
      return 0;
    },
  });
}
