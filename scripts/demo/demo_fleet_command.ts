/**
 * The operator CLI's command line as the demo's user can type it: Deno as the demo runs on
 * (`npx -y deno@<version>` when it came from npm, else `deno`, as `edge/deno.ts` tells it), with
 * the checkout's `deno.json` named unless the user is inside the checkout (`deno task` finds it
 * from there).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fleetTaskCommand } from "./demo_fleet_command.ts";
 * const npm = "/home/u/.npm/_npx/1f/node_modules/deno/deno";
 * assert.equal(
 *   fleetTaskCommand("summary", { execPath: npm, version: "2.9.6", project: "/src/drover", dirs: ["/src/drover"] }),
 *   "npx -y deno@2.9.6 task fleet summary",
 * );
 * assert.equal(
 *   fleetTaskCommand("summary", { execPath: "/usr/bin/deno", version: "2.9.6", project: "/src/my drover", dirs: ["/tmp"] }),
 *   "deno task --config '/src/my drover/deno.json' fleet summary",
 * );
 * ```
 * @module
 */
import { join, resolve } from "node:path";

/** Where the command runs from. */
export interface DenoContext {
  /** `Deno.execPath()` */
  execPath: string;
  /** `Deno.version.deno` */
  version: string;
  /** The Drover checkout (its `deno.json`). */
  project: string;
  /** Where the user may be: the directory the demo was started in, and the one its command was typed in. */
  dirs: string[];
}

/** `… task fleet <args>` for `context` (args: already shell words). */
export function fleetTaskCommand(args: string, context: DenoContext): string {
  const deno = context.execPath.includes("/node_modules/") ? `npx -y deno@${context.version}` : "deno";
  const project = resolve(context.project);
  const inside = (dir: string) => resolve(dir) === project || resolve(dir).startsWith(`${project}/`);
  const config = context.dirs.every(inside)
    ? ""
    : ` --config ${shellWord(join(context.project, "deno.json"))}`;
  return `${deno} task${config} fleet ${args}`;
}

/** `word` as one shell word: as is when it has no special characters, else single-quoted. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
