/**
 * `drover-fleet resume ID`: let a paused, halted or ended rollout run again on its signed percent,
 * watched by its halt rule afresh (devices that finished before the resume no longer count).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { command } from "./resume.ts";
 * const out: string[] = [];
 * const code = await command.run(["--help"], { stdout: (t) => out.push(t), stderr: () => {}, env: {}, stderrIsTTY: false });
 * assert.ok(code === 0 && out.join("").startsWith("Usage: drover-fleet resume ID"));
 * ```
 * @module
 */
import { rolloutCommand } from "./_rollout_action.ts";

/** The `resume` subcommand. */
export const command = rolloutCommand("resume", {
  summary: "run a paused or halted rollout again",
  about: "Resumes a paused, halted or ended rollout: no cap, its signed percent again, the halt rule\n" +
    "counting from now. Prints its id and new state.",
});
