/**
 * The interface every sub-command implements, of `drover` and of `drover-repo` alike (both are built
 * with `define_command.ts` and dispatched by `run_cli.ts`). `device/drover.ts` dispatches on the first
 * word of the command line to a module in `device/commands/` that exports `command: Command`;
 * `scripts/repo/main.ts` to one in `scripts/repo/`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Command } from "./command.ts";
 * const hello: Command = {
 *   name: "hello",
 *   summary: "say hello",
 *   help: "Usage: drover hello\n",
 *   run(_argv, io) {
 *     io.stdout("hello\n");
 *     return Promise.resolve(0);
 *   },
 * };
 * assert.equal(hello.name, "hello");
 * ```
 * @module
 */

/** What a command may touch of the outside world. Commands never exit the process. */
export interface CommandIO {
  /** Data (or the one `--json` document). */
  stdout: (text: string) => void;
  /** Progress, logs, warnings, usage hints. */
  stderr: (text: string) => void;
  /** Environment (for `DROVER_*` defaults). */
  env: Record<string, string | undefined>;
  /** Whether stderr is a terminal (progress bars and colour only then). */
  stderrIsTTY: boolean;
  /** Aborted on SIGINT/SIGTERM. */
  signal?: AbortSignal;
  /**
   * The device clock, for tests and simulations that run the CLI in process (default: the system
   * clock). `check` and `update` judge TUF expiry and rollout steps by it; a clock ahead still
   * cannot widen a rollout past the signed metadata's time bound (core/rollout `effectiveNow`).
   */
  now?: () => Date;
}

/** A sub-command of a program (`drover`, `drover-repo`). */
export interface Command {
  /** The word on the command line. */
  name: string;
  /** One line for the program's `--help`. */
  summary: string;
  /** The full `--help` text. */
  help: string;
  /** Runs the command; resolves to the process exit code (see `device/cli/exit_codes.ts`). */
  run(argv: string[], io: CommandIO): Promise<number>;
}
