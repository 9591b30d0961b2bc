/**
 * Builds a {@linkcode Command} from an option table: strict parsing (node:util parseArgs),
 * `--help`, usage errors (exit 2 with a one-line hint), errors mapped to exit codes, and the
 * `--json` error document.
 * @module
 */
import { parseArgs } from "node:util";
import type { Command, CommandIO } from "./command.ts";
import { ExitCode, exitCodeFor } from "./exit_codes.ts";
import { UsageError } from "./usage_error.ts";

/** One option of a command. */
export interface OptionSpec {
  type: "string" | "boolean";
  multiple?: boolean;
  short?: string;
}

/** Parsed arguments. */
export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  json: boolean;
}

/** An error entry of a `--json` document. */
export interface ErrorEntry {
  app?: string;
  code: string;
  message: string;
}

/** The `code` of an error for JSON output. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === "string" && code.startsWith("E_")) return code;
  return error instanceof UsageError ? "E_USAGE" : "E_FAILURE";
}

/** `{code, message}` of an error, for JSON output and status.json. */
export function errorEntry(error: unknown, app?: string): ErrorEntry {
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
    throw new UsageError(`--${name} needs a ${options.integer ? "whole " : ""}number >= ${options.min ?? 0}`);
  }
  return n;
}

/** Common options of every command. */
export const COMMON: Record<string, OptionSpec> = {
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

/**
 * Defines a command. `run` gets the parsed arguments; it returns an exit code or throws (a
 * `UsageError` -> 2 with a hint; other errors -> their exit code, printed or as JSON).
 */
export function defineCommand(spec: {
  name: string;
  summary: string;
  help: string;
  options: Record<string, OptionSpec>;
  positionals?: { min?: number; max?: number };
  run(parsed: Parsed, io: CommandIO): Promise<number>;
}): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    help: spec.help,
    async run(argv: string[], io: CommandIO): Promise<number> {
      const json = argv.includes("--json");
      let parsed: Parsed;
      try {
        const { values, positionals } = parseArgs({
          args: argv,
          options: { ...COMMON, ...spec.options },
          strict: true,
          allowPositionals: (spec.positionals?.max ?? 0) > 0,
        });
        parsed = { values: values as Parsed["values"], positionals, json: values.json === true };
        if (values.help) {
          io.stdout(spec.help.endsWith("\n") ? spec.help : spec.help + "\n");
          return ExitCode.OK;
        }
        const { min = 0, max = 0 } = spec.positionals ?? {};
        if (positionals.length < min) throw new UsageError(`missing argument`);
        if (positionals.length > max) throw new UsageError(`unexpected argument '${positionals[max]}'`);
      } catch (error) {
        return usage(spec.name, error, io, json);
      }
      try {
        return await spec.run(parsed, io);
      } catch (error) {
        if (error instanceof UsageError) return usage(spec.name, error, io, json);
        const code = exitCodeFor(error);
        if (json) {
          io.stdout(
            JSON.stringify(
              { command: spec.name, ok: false, exitCode: code, errors: [errorEntry(error)] },
              null,
              2,
            ) +
              "\n",
          );
        } else {
          io.stderr(`drover ${spec.name}: ${(error as Error)?.message ?? String(error)}\n`);
        }
        return code;
      }
    },
  };
}

function usage(name: string, error: unknown, io: CommandIO, json: boolean): number {
  const message = ((error as Error)?.message ?? String(error)).replace(/^Cannot [^:]*: /, "");
  io.stderr(`drover ${name}: ${message}\nTry 'drover ${name} --help'.\n`);
  if (json) {
    const doc = {
      command: name,
      ok: false,
      exitCode: ExitCode.USAGE,
      errors: [{ code: "E_USAGE", message }],
    };
    io.stdout(JSON.stringify(doc, null, 2) + "\n");
  }
  return ExitCode.USAGE;
}
