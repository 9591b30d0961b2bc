/**
 * The `drover-repo` CLI without the process, on drover's command framework (`device/cli/`): dispatch to
 * a subcommand, exit codes as `drover`'s (0 ok, 1 failure, 2 usage, 3 verification refused, 75 try later:
 * the repository's lock held), and with
 * `--json` one document `{ command, ok, exitCode, … }` (on failure `errors: [{ code, message }]`).
 * `scripts/repo.ts` is the entry that sets the process exit code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runRepo } from "./main.ts";
 * let out = "";
 * const code = await runRepo(["--help"], { stdout: (t) => (out += t), stderr: () => {}, env: {} });
 * assert.ok(code === 0 && out.includes("add-app"));
 * ```
 * @module
 */
import type { CommandIO } from "../../device/cli/command.ts";
import { type Program, runCli } from "../../device/cli/run_cli.ts";
import { REPO_CLI } from "./_cli.ts";
import { COMMANDS } from "./commands.ts";

const PROGRAM: Program = {
  cli: REPO_CLI,
  usage: "drover-repo <command> [options]   (deno task repo …, or node dist/drover-repo.mjs …)",
  about: "Build a static, signed TUF repository (tuf/, targets/, releases.json) that any file server,\n" +
    "a USB stick or the Drover edge can serve.",
  commands: COMMANDS,
  notes: "Every command takes --repo DIR, --keys DIR, --json and --help; a command that changes\n" +
    "metadata waits at most --lock-wait SECONDS (env DROVER_REPO_LOCK_WAIT, default 120) for the\n" +
    "repository's lock.\n" +
    "--json prints one document {command, ok, exitCode, …}; a command that fails prints\n" +
    "{command, ok: false, exitCode, errors: [{code, message}]}.\n" +
    "Exit codes: 0 ok, 1 failure, 2 usage, 3 verification refused (a corrupt repository), 75 try later\n" +
    "(the repository's lock is held; push: the edge cannot be reached or asks to wait).\n",
};

/**
 * Run the repo CLI on `argv` (without the program name); resolves to the exit code. `options.name` is
 * how messages and hints name the program (default `drover-repo`; `deno task repo` when the entry was
 * started so: `scripts/cli/program_name.ts`).
 */
export function runRepo(
  argv: string[],
  io: Omit<CommandIO, "stderrIsTTY"> & { stderrIsTTY?: boolean },
  options: { name?: string } = {},
): Promise<number> {
  REPO_CLI.name = options.name ?? "drover-repo"; // one program per process: its commands share REPO_CLI
  return runCli(argv, { ...io, stderrIsTTY: io.stderrIsTTY === true }, PROGRAM);
}
