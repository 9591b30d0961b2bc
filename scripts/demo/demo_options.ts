/**
 * The command line of `deno task demo` (scripts/demo.ts): `--port`, `--devices`, `--interval`,
 * `--dir`, `--keep`, `--help`. `PORT` in the environment is the port's default; no other
 * variable is read (never `DROVER_DATA`: the demo always works in a directory of its own).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDemoOptions } from "./demo_options.ts";
 * const options = parseDemoOptions(["--devices", "6"], { PORT: "9000" });
 * assert.ok(options !== "help" && options.port === 9000 && options.devices === 6);
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { UsageError } from "../../device/cli/usage_error.ts";

/** What the demo runs with. */
export interface DemoOptions {
  /** Port on 127.0.0.1 (0: any free one). */
  port: number;
  /** How many simulated devices. */
  devices: number;
  /** Milliseconds from the start of one update round to the start of the next. */
  intervalMs: number;
  /** The working directory given with `--dir`; `undefined`: a fresh temporary directory. */
  dir?: string;
  /** Keep the working directory when the demo stops. */
  keep: boolean;
}

/** The `--help` text. */
export const DEMO_HELP =
  `Usage: deno task demo [--port N] [--devices N] [--interval SECONDS] [--dir DIR] [--keep]

Starts the Drover edge on 127.0.0.1 with a development repository and a simulated fleet, so the
dashboard has something to show: devices enroll, install releases, roll back when a release's
health check fails on their board, and follow a staged rollout. Prints the dashboard URL and the
operator token to sign in with; one progress line per update round goes to stderr.
Stop with Ctrl-C: everything stops and the working directory is removed.

  --port N            port on 127.0.0.1 (default: env PORT, else 8787; 0: any free port)
  --devices N         simulated devices, 1 to 500 (default 40)
  --interval SECONDS  time between the starts of two update rounds (default 5)
  --dir DIR           work in DIR (empty, missing, or made by an earlier demo) instead of a
                      fresh temporary directory; never ./.data nor $DROVER_DATA
  --keep              keep the working directory when the demo stops
`;

/** Parses `argv`; `"help"` for `--help`. Throws `UsageError` on a bad command line. */
export function parseDemoOptions(
  argv: string[],
  env: Record<string, string | undefined>,
): DemoOptions | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        port: { type: "string" },
        devices: { type: "string" },
        interval: { type: "string" },
        dir: { type: "string" },
        keep: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError(`Cannot start the demo: ${(error as Error).message}`, { cause: error });
  }
  const v = parsed.values;
  if (v.help) return "help";
  const port = integer(v.port ?? (env.PORT || undefined) ?? "8787", v.port ? "--port" : "PORT", 0, 65535);
  const devices = integer(v.devices ?? "40", "--devices", 1, 500);
  const interval = Number(v.interval ?? "5");
  if (v.interval?.trim() === "" || !(interval >= 0.05 && interval <= 3600)) {
    throw new UsageError(
      `Cannot start the demo: --interval needs seconds from 0.05 to 3600, not '${v.interval}'`,
    );
  }
  if (v.dir === "") throw new UsageError("Cannot start the demo: --dir needs a directory");
  return { port, devices, intervalMs: Math.round(interval * 1000), dir: v.dir, keep: v.keep === true };
}

function integer(text: string, name: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > max) {
    throw new UsageError(
      `Cannot start the demo: ${name} needs a whole number from ${min} to ${max}, not '${text}'`,
    );
  }
  return n;
}
