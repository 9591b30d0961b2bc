/**
 * Relative paths on a command line mean the directory the user typed the command in. `deno task`
 * (and npm scripts) start the process in the project's root and pass that directory in `INIT_CWD`,
 * so `deno task repo init --repo ./repo` run from a subdirectory would otherwise write next to
 * `deno.json`. The CLI entries that `deno task` runs call {@linkcode enterInvocationDir} first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { enterInvocationDir } from "./invocation_dir.ts";
 * let at = "/work/drover"; // where `deno task` started the process
 * const proc = { env: { INIT_CWD: "/work/drover/docs" }, cwd: () => at, chdir: (d: string) => void (at = d) };
 * assert.equal(enterInvocationDir(proc), "/work/drover/docs");
 * ```
 * @module
 */

/** The parts of a process {@linkcode enterInvocationDir} uses. */
export interface ProcessDirs {
  env: Record<string, string | undefined>;
  cwd(): string;
  chdir(dir: string): void;
}

/**
 * Changes to `INIT_CWD` when it is set and differs from the working directory; resolves to the
 * working directory then. A directory that cannot be entered leaves the working directory as it is.
 */
export function enterInvocationDir(proc: ProcessDirs): string {
  const dir = proc.env.INIT_CWD;
  if (dir && dir !== proc.cwd()) {
    try {
      proc.chdir(dir);
    } catch {
      // gone or not ours: the task's own directory is the next best
    }
  }
  return proc.cwd();
}
