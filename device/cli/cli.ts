/**
 * What the commands of one command-line program share: its name (in messages and `--help`) and the
 * options every one of its commands accepts. `drover` ({@linkcode DROVER_CLI} in `drover_cli.ts`) and
 * `drover-repo` (`scripts/repo/_cli.ts`) are two of them, on one framework (`define_command.ts`,
 * `run_cli.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Cli } from "./cli.ts";
 * const repo: Cli = { name: "repo", title: "drover-repo", options: { repo: { type: "string" } } };
 * assert.equal(repo.options?.repo?.type, "string");
 * ```
 * @module
 */

/** One option of a command (node:util parseArgs' option config). */
export interface OptionSpec {
  type: "string" | "boolean";
  multiple?: boolean;
  short?: string;
}

/** A command-line program. */
export interface Cli {
  /** How messages and `--help` name it: `drover add: missing --app`, `Try 'drover add --help'.` */
  name: string;
  /** How `--version` names it (default {@linkcode Cli.name}). */
  title?: string;
  /** Options every command of the program accepts, besides `--json` and `--help`. */
  options?: Record<string, OptionSpec>;
  /** Appended to every command's `--help` (to tell the shared options). */
  helpFooter?: string;
}
