/**
 * The shape of a `repo` subcommand. Subcommands live one per file in `scripts/repo/` and are
 * listed in `scripts/repo/commands.ts` (adding one is one import + one line there).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { RepoCommand } from "./command.ts";
 * const hello: RepoCommand = {
 *   name: "hello", summary: "say hello", help: "Usage: repo hello",
 *   run: (_argv, io) => { io.stdout("hello\n"); return Promise.resolve(0); },
 * };
 * assert.equal(hello.name, "hello");
 * ```
 * @module
 */

/** Where a subcommand writes, and its environment. */
export interface RepoIO {
  /** Data (or the one JSON document with --json). */
  stdout: (text: string) => void;
  /** Progress and logs. */
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
}

/** One subcommand of `repo`. */
export interface RepoCommand {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Full `--help` text. */
  help: string;
  /** Run with the arguments after the command word; resolves to the exit code (0, 1, 2). */
  run(argv: string[], io: RepoIO): Promise<number>;
}
