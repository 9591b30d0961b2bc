/**
 * How a script CLI names itself in messages and hints (`Try '<name> add-app --help'.`): what the user
 * typed to start it, so the hint runs as printed. The bundle (`node dist/drover-repo.mjs`,
 * `dist/drover-fleet.mjs`) is the program (`drover-repo`); the source run by `deno task repo` in the
 * checkout is `deno task repo`, `npx -y deno@<version> task repo` when Deno came from npm (as
 * `deno task demo` prints its commands).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { programName } from "./program_name.ts";
 * const names = { program: "drover-repo", task: "repo" };
 * assert.equal(programName(names, { entry: "file:///d/dist/drover-repo.mjs", env: { INIT_CWD: "/d" } }), "drover-repo");
 * assert.equal(
 *   programName(names, { entry: "file:///d/scripts/repo.ts", env: { INIT_CWD: "/d" }, execPath: "/usr/bin/deno" }),
 *   "deno task repo",
 * );
 * assert.equal(
 *   programName(names, {
 *     entry: "file:///d/scripts/repo.ts",
 *     env: { INIT_CWD: "/d" },
 *     execPath: "/home/u/.npm/_npx/1f/node_modules/deno/deno",
 *     denoVersion: "2.9.6",
 *   }),
 *   "npx -y deno@2.9.6 task repo",
 * );
 * ```
 * @module
 */

/** Where the CLI runs from. */
export interface Invocation {
  /** The entry module's URL (`import.meta.url` of the entry; the bundle's is the `.mjs`). */
  entry: string;
  env: Record<string, string | undefined>;
  /** The runtime's executable (`process.execPath`). */
  execPath?: string;
  /** Deno's version when on Deno (`process.versions.deno`). */
  denoVersion?: string;
}

/** `program` for the bundle, `<deno> task <task>` for the source started by `deno task` (INIT_CWD set). */
export function programName(names: { program: string; task: string }, at: Invocation): string {
  if (!at.entry.endsWith(".ts") || !at.env.INIT_CWD) return names.program;
  const deno = at.execPath?.includes("/node_modules/") && at.denoVersion
    ? `npx -y deno@${at.denoVersion}`
    : "deno";
  return `${deno} task ${names.task}`;
}
