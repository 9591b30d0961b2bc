/**
 * The operator CLI's command line as the demo's user can type it, from any directory (another
 * terminal is rarely in the checkout): Deno as the demo runs on (`npx -y deno@<version>` when it came
 * from npm, else `deno`, as `edge/deno.ts` tells it), with the checkout's `deno.json` named by
 * `--config`, as `deno task start`'s first-start notice names it (`edge/_prepare_data.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fleetTaskCommand } from "./demo_fleet_command.ts";
 * const npm = "/home/u/.npm/_npx/1f/node_modules/deno/deno";
 * assert.equal(
 *   fleetTaskCommand("summary", { execPath: npm, version: "2.9.6", project: "/src/drover" }),
 *   "npx -y deno@2.9.6 task --config /src/drover/deno.json fleet summary",
 * );
 * assert.equal(
 *   fleetTaskCommand("summary", { execPath: "/usr/bin/deno", version: "2.9.6", project: "/src/my drover" }),
 *   "deno task --config '/src/my drover/deno.json' fleet summary",
 * );
 * ```
 * @module
 */
import { join } from "node:path";

/** Where the command runs from. */
export interface DenoContext {
  /** `Deno.execPath()` */
  execPath: string;
  /** `Deno.version.deno` */
  version: string;
  /** The Drover checkout (its `deno.json`). */
  project: string;
}

/** `… task --config <checkout>/deno.json fleet <args>` for `context` (args: already shell words). */
export function fleetTaskCommand(args: string, context: DenoContext): string {
  const deno = context.execPath.includes("/node_modules/") ? `npx -y deno@${context.version}` : "deno";
  return `${deno} task --config ${shellWord(join(context.project, "deno.json"))} fleet ${args}`;
}

/** `word` as one shell word: as is when it has no special characters, else single-quoted. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
