/**
 * `drover-fleet pause ID`: hold a running rollout where it is (cap 0: devices that have not
 * installed its release do not take it) until `resume` or `end`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { command } from "./pause.ts";
 * const out: string[] = [];
 * const code = await command.run(["--help"], { stdout: (t) => out.push(t), stderr: () => {}, env: {}, stderrIsTTY: false });
 * assert.ok(code === 0 && out.join("").startsWith("Usage: drover-fleet pause ID"));
 * ```
 * @module
 */
import { rolloutCommand } from "./_rollout_action.ts";

/** The `pause` subcommand. */
export const command = rolloutCommand("pause", {
  summary: "hold a running rollout",
  about: "Pauses a running rollout (cap 0: no device that has not installed its release takes it)\n" +
    "and prints its id and new state.",
});
