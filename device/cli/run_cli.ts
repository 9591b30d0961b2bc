/**
 * The dispatcher of a command-line program (`drover`, `drover-repo`): `--version`, `--help` (also
 * `help [COMMAND]`), the command on the first word, and the exit code. Unknown or missing commands
 * are usage errors (exit 2; with `--json`, the error document on stdout too); an error that escapes a
 * command is exit 1 with its stack on stderr. Never exits the process.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runCli } from "./run_cli.ts";
 * import { VERSION } from "./version.ts";
 * const out: string[] = [];
 * const io = { stdout: (t: string) => out.push(t), stderr: () => {}, env: {}, stderrIsTTY: false };
 * const program = { cli: { name: "demo" }, about: "A demo.", commands: [] };
 * assert.equal(await runCli(["--version"], io, program), 0);
 * assert.equal(out[0], `demo ${VERSION}\n`);
 * assert.equal(await runCli(["nope"], io, program), 2);
 * ```
 * @module
 */
import type { Cli } from "./cli.ts";
import type { Command, CommandIO } from "./command.ts";
import { usage } from "./define_command.ts";
import { ExitCode } from "./exit_codes.ts";
import { VERSION } from "./version.ts";

/** A program: its {@linkcode Cli}, what it is for, and its commands (in `--help` order). */
export interface Program {
  cli: Cli;
  /** The first line of `--help` after `Usage: ` (default `<name> <command> [options]`). */
  usage?: string;
  /** A paragraph on what the program does. */
  about: string;
  commands: readonly Command[];
  /** Lines after the command list (shared flags, environment, exit codes). */
  notes?: string;
}

/**
 * The program's `--help` text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { programHelp } from "./run_cli.ts";
 * const help = programHelp({ cli: { name: "demo" }, about: "A demo.", commands: [] });
 * assert.match(help, /^Usage: demo <command> \[options\]\n/);
 * ```
 */
export function programHelp(program: Program): string {
  const { cli, commands } = program;
  const width = Math.max(0, ...commands.map((c) => c.name.length));
  const notes = program.notes ? (program.notes.endsWith("\n") ? program.notes : program.notes + "\n") : "";
  return `Usage: ${program.usage ?? `${cli.name} <command> [options]`}\n\n${program.about}\n\n` +
    "Commands:\n" + commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}\n`).join("") +
    `\n${notes}  ${cli.name} --version   print the version\n`;
}

/** Runs the command line `argv` (without the program name) of `program`; resolves to the exit code. */
export async function runCli(argv: string[], io: CommandIO, program: Program): Promise<number> {
  const { cli } = program;
  const [first, ...rest] = argv;
  if (first === "--version" || first === "-V") {
    io.stdout(`${cli.title ?? cli.name} ${VERSION}\n`);
    return ExitCode.OK;
  }
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    if (first === "help" && rest[0]) return await runCli([rest[0], "--help"], io, program);
    (first === undefined ? io.stderr : io.stdout)(programHelp(program));
    return first === undefined ? ExitCode.USAGE : ExitCode.OK;
  }
  const command = program.commands.find((c) => c.name === first);
  if (!command) {
    return usage(new Error(`unknown command '${first}'`), {
      cli,
      io,
      json: argv.includes("--json"),
      command: "",
    });
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    io.stderr(`${cli.name} ${first}: ${(error as Error)?.stack ?? String(error)}\n`);
    return ExitCode.FAILURE;
  }
}
