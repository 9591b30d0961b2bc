/**
 * `drover-fleet end ID`: the edge stops holding and watching a rollout: no cap, no halt rule;
 * devices follow its signed percent alone (never more).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { command } from "./end.ts";
 * const out: string[] = [];
 * const code = await command.run(["--help"], { stdout: (t) => out.push(t), stderr: () => {}, env: {}, stderrIsTTY: false });
 * assert.ok(code === 0 && out.join("").startsWith("Usage: drover-fleet end ID"));
 * ```
 * @module
 */
import { rolloutCommand } from "./_rollout_action.ts";

/** The `end` subcommand. */
export const command = rolloutCommand("end", {
  summary: "stop holding and watching a rollout",
  about: "Ends a rollout: the edge no longer caps it or judges it by its halt rule; devices follow\n" +
    "its signed percent alone. To keep a bad release from devices, leave it halted or paused.",
});
