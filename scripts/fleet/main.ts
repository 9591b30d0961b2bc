/**
 * The `drover-fleet` CLI without the process, on drover's command framework (`device/cli/`): the
 * operator's view of the fleet through the edge's fleet API (`/v1/fleet/…`). `--json` prints the
 * API's documents as the edge sends them (`devices`: one JSON array); a command that fails prints
 * `{ command, ok: false, exitCode, errors: [{ code, message }] }`. `scripts/fleet.ts` is the entry
 * that sets the process exit code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runFleet } from "./main.ts";
 * let out = "";
 * const code = await runFleet(["--help"], { stdout: (t) => (out += t), stderr: () => {}, env: {} });
 * assert.ok(code === 0 && out.includes("summary"));
 * ```
 * @module
 */
import type { CommandIO } from "../../device/cli/command.ts";
import { type Program, runCli } from "../../device/cli/run_cli.ts";
import { FLEET_CLI } from "./_cli.ts";
import { COMMANDS } from "./commands.ts";

const PROGRAM: Program = {
  cli: FLEET_CLI,
  usage: "drover-fleet <command> [options]   (deno task fleet …, or node dist/drover-fleet.mjs …)",
  about: "The operator's view of a Drover fleet through its edge: which devices run what, how their\n" +
    "installs went, and accepting or rejecting enrolled devices.",
  commands: COMMANDS,
  notes: "Every command takes --edge URL (env DROVER_EDGE), --token-file FILE (else env\n" +
    "DROVER_OPERATOR_TOKEN, else DROVER_TOKEN), --json and --help. Text output escapes control\n" +
    "characters of device-supplied strings. --json prints the edge's documents (devices, rollouts: one JSON array);\n" +
    "a command that fails prints {command, ok: false, exitCode, errors: [{code, message}]}.\n" +
    "Exit codes: 0 ok, 1 failure, 2 usage, 3 operator token refused, 75 try later (edge unreachable or busy).\n\n" +
    "  drover-fleet devices --all --commit SHA --json | jq length     devices running commit SHA\n" +
    "  drover-fleet summary --json | jq .lastInstall.error              devices whose latest install failed\n",
};

/**
 * Run the fleet CLI on `argv` (without the program name); resolves to the exit code. `options.name` is
 * how messages and hints name the program (default `drover-fleet`; `deno task fleet` when the entry was
 * started so: `scripts/cli/program_name.ts`).
 */
export function runFleet(
  argv: string[],
  io: Omit<CommandIO, "stderrIsTTY"> & { stderrIsTTY?: boolean },
  options: { name?: string } = {},
): Promise<number> {
  FLEET_CLI.name = options.name ?? "drover-fleet"; // one program per process: its commands share FLEET_CLI
  return runCli(argv, { ...io, stderrIsTTY: io.stderrIsTTY === true }, PROGRAM);
}
