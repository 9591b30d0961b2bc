/**
 * Builds a {@linkcode Command} from an option table, for `drover` and `drover-repo` alike: strict
 * parsing (node:util parseArgs) of the command's options plus its program's shared ones, `--help`,
 * usage errors (exit 2 with a one-line hint), errors mapped to exit codes (a full or read-only file
 * system the command did not name: `Cannot <command>: no space left on device (<dir>)`), and the one `--json`
 * error document `{ command, ok: false, exitCode, errors: [{ code, message }] }`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defineCommand, required } from "./define_command.ts";
 * const hello = defineCommand({
 *   name: "hello",
 *   summary: "greet",
 *   help: "Usage: drover hello --name NAME\n",
 *   options: { name: { type: "string" } },
 *   run(parsed, io) {
 *     io.stdout(`hello ${required(parsed, "name")}\n`);
 *     return Promise.resolve(0);
 *   },
 * });
 * const out: string[] = [];
 * const io = { stdout: (t: string) => out.push(t), stderr: () => {}, env: {}, stderrIsTTY: false };
 * assert.equal(await hello.run(["--name", "Ada"], io), 0);
 * assert.equal(await hello.run(["--json"], io), 2);
 * assert.deepEqual(JSON.parse(out[1]!).errors, [{ code: "E_USAGE", message: "missing --name" }]);
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import type { Cli, OptionSpec } from "./cli.ts";
import type { Command, CommandIO } from "./command.ts";
import { DROVER_CLI } from "./drover_cli.ts";
import { ExitCode, exitCodeFor } from "./exit_codes.ts";
import { UsageError } from "./usage_error.ts";
import { InterruptedError } from "./interrupted_error.ts";
import { storageErrorOf } from "../fs/storage_error.ts";

export type { OptionSpec };

/** Parsed arguments. */
export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  json: boolean;
  /** The command's name (the `command` field of its `--json` document). */
  command: string;
}

/** An error entry of a `--json` document. */
export interface ErrorEntry {
  app?: string;
  code: string;
  message: string;
}

/** The `--json` document of a command that failed as a whole. */
export interface ErrorDocument {
  command: string;
  ok: false;
  exitCode: number;
  errors: ErrorEntry[];
}

/**
 * The `code` of an error for JSON output: a named error's own `E_*` code, else `E_NO_SPACE` /
 * `E_READ_ONLY` for a full or read-only file system, else `E_USAGE` or `E_FAILURE`.
 */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === "string" && code.startsWith("E_")) return code;
  if (error instanceof UsageError) return "E_USAGE";
  return storageErrorOf(error, { action: "write" })?.code ?? "E_FAILURE";
}

/** `{code, message}` of an error, for JSON output and status.json. */
export function errorEntry(error: unknown, app?: string): ErrorEntry {
  // a full or read-only file system nothing below named: said so, with where (not raw errno text)
  error = storageErrorOf(error, { action: app === undefined ? "write" : `write ${app}` }) ?? error;
  const message = error instanceof Error ? error.message : String(error);
  return app === undefined ? { code: errorCode(error), message } : { app, code: errorCode(error), message };
}

/** A string option, else the environment default `io.env[envName]`, else a usage error. */
export function required(
  parsed: Parsed,
  name: string,
  options: { io?: CommandIO; envName?: string } = {},
): string {
  const v = parsed.values[name] ?? (options.envName ? options.io?.env[options.envName] : undefined);
  if (typeof v !== "string" || v === "") {
    throw new UsageError(`missing --${name}${options.envName ? ` (or env ${options.envName})` : ""}`);
  }
  return v;
}

/** A string option, else the environment default, else `undefined`. */
export function optional(
  parsed: Parsed,
  name: string,
  options: { io?: CommandIO; envName?: string } = {},
): string | undefined {
  const v = parsed.values[name] ?? (options.envName ? options.io?.env[options.envName] : undefined);
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** A number option (`undefined` if absent); usage error if not a number within [min, max]. */
export function numberOption(
  parsed: Parsed,
  name: string,
  options: { min?: number; max?: number; integer?: boolean } = {},
): number | undefined {
  const raw = parsed.values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (
    typeof raw !== "string" || raw.trim() === "" || !Number.isFinite(n) ||
    (options.integer && !Number.isInteger(n)) || n < (options.min ?? -Infinity) ||
    n > (options.max ?? Infinity)
  ) {
    const { min, max } = options;
    const range = min !== undefined && max !== undefined
      ? `from ${min} to ${max}`
      : max !== undefined
      ? `<= ${max}`
      : `>= ${min ?? 0}`;
    throw new UsageError(
      `--${name} needs a ${options.integer ? "whole " : ""}number ${range}, not ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

/** Common options of every command. */
export const COMMON: Record<string, OptionSpec> = {
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

/** What {@linkcode defineCommand} builds a command from. */
export interface CommandSpec {
  /** The program the command belongs to (default `drover`, {@linkcode DROVER_CLI}). */
  cli?: Cli;
  name: string;
  summary: string;
  /** The `--help` text; the program's `helpFooter` is appended. */
  help: string;
  /** The command's own options (the program's shared options, `--json` and `--help` come on top). */
  options: Record<string, OptionSpec>;
  positionals?: { min?: number; max?: number };
  /** Resolves to the exit code, or throws (a `UsageError` -> 2; others -> `exitCodeFor`). */
  run(parsed: Parsed, io: CommandIO): Promise<number>;
}

/**
 * Defines a command. `run` gets the parsed arguments; it returns an exit code or throws (a
 * `UsageError` -> 2 with a hint; other errors -> their exit code, printed or as JSON).
 */
export function defineCommand(spec: CommandSpec): Command {
  const cli = spec.cli ?? DROVER_CLI;
  const help = withFooter(spec.help, cli.helpFooter);
  const options = { ...COMMON, ...cli.options, ...spec.options };
  return {
    name: spec.name,
    summary: spec.summary,
    help,
    async run(argv: string[], io: CommandIO): Promise<number> {
      const json = argv.includes("--json");
      let parsed: Parsed;
      try {
        const { values, positionals } = parseArgs({
          args: argv,
          options,
          strict: true,
          allowPositionals: (spec.positionals?.max ?? 0) > 0,
        });
        parsed = {
          values: values as Parsed["values"],
          positionals,
          json: values.json === true,
          command: spec.name,
        };
        if (values.help) {
          io.stdout(help);
          return ExitCode.OK;
        }
        const { min = 0, max = 0 } = spec.positionals ?? {};
        if (positionals.length < min) throw new UsageError(`missing argument`);
        if (positionals.length > max) throw new UsageError(`unexpected argument '${positionals[max]}'`);
      } catch (error) {
        return usage(error, { cli, io, json, command: spec.name });
      }
      try {
        const code = await spec.run(parsed, io);
        // a run a signal stopped ends as interrupted (130, 143), whatever its parts made of it
        return InterruptedError.of(io.signal)?.exitCode ?? code;
      } catch (caught) {
        if (caught instanceof UsageError) return usage(caught, { cli, io, json, command: spec.name });
        // stopped by a signal: said so (`Cannot update: interrupted (SIGINT)`), not what it cut short
        const interrupted = InterruptedError.of(io.signal);
        // a full or read-only file system nothing below named: one line saying so, and where
        const error = interrupted?.during(spec.name, caught) ??
          storageErrorOf(caught, { action: spec.name }) ??
          caught;
        const exitCode = exitCodeFor(error);
        if (json) printError(io, { command: spec.name, ok: false, exitCode, errors: [errorEntry(error)] });
        else io.stderr(`${cli.name} ${spec.name}: ${(error as Error)?.message ?? String(error)}\n`);
        return exitCode;
      }
    },
  };
}

/**
 * Reports a usage error: the message and a hint on stderr (`Try '<cli> <command> --help'.`), and with
 * `--json` the error document on stdout. Returns exit code 2. `command` is `""` for the program itself
 * (an unknown command word).
 */
export function usage(
  error: unknown,
  options: { cli: Cli; io: CommandIO; json: boolean; command: string },
): number {
  const { cli, io, command } = options;
  const message = ((error as Error)?.message ?? String(error)).replace(/^Cannot [^:]*: /, "");
  const where = command ? `${cli.name} ${command}` : cli.name;
  io.stderr(`${where}: ${message}\nTry '${where} --help'.\n`);
  if (options.json) {
    printError(io, { command, ok: false, exitCode: ExitCode.USAGE, errors: [{ code: "E_USAGE", message }] });
  }
  return ExitCode.USAGE;
}

function printError(io: CommandIO, doc: ErrorDocument): void {
  io.stdout(JSON.stringify(doc, null, 2) + "\n");
}

function withFooter(help: string, footer: string | undefined): string {
  const text = help.endsWith("\n") ? help : help + "\n";
  return footer ? `${text}\n${footer.endsWith("\n") ? footer : footer + "\n"}` : text;
}
