/** Private: argument parsing shared by the repo subcommands (node:util parseArgs, strict). */
import { parseArgs, type ParseArgsConfig } from "node:util";

/** A usage problem: exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Options every subcommand takes. */
export const COMMON: Options = {
  repo: { type: "string" },
  keys: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

/** Parse `argv` strictly (no positionals); `UsageError` on anything unknown. */
export function parse(
  argv: string[],
  options: Options,
): Record<string, string | boolean | string[] | undefined> {
  try {
    return parseArgs({
      args: argv,
      options: { ...COMMON, ...options },
      strict: true,
      allowPositionals: false,
    })
      .values as Record<string, string | boolean | string[] | undefined>;
  } catch (e) {
    throw new UsageError((e as Error).message, { cause: e });
  }
}

/** A required string option. */
export function need(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== "string" || v === "") throw new UsageError(`Cannot run: --${name} is required`);
  return v;
}

/** Write the result: one JSON document with --json, else `text`. */
export function report(
  io: { stdout: (t: string) => void },
  json: unknown,
  data: unknown,
  text: string,
): void {
  io.stdout(json ? JSON.stringify(data, null, 2) + "\n" : text + "\n");
}
