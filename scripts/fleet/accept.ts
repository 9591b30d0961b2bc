/**
 * `drover-fleet accept ID`: accept a device (pending or rejected), so the edge takes its check-ins
 * and reports as a member of the fleet.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { command } from "./accept.ts";
 * const out: string[] = [];
 * const code = await command.run(["--help"], { stdout: (t) => out.push(t), stderr: () => {}, env: {}, stderrIsTTY: false });
 * assert.ok(code === 0 && out.join("").startsWith("Usage: drover-fleet accept ID"));
 * ```
 * @module
 */
import { stateCommand } from "./_set_state.ts";

/** The `accept` subcommand. */
export const command = stateCommand("accept", {
  summary: "accept a device",
  about: "Accepts a device (ID: d_ and 32 hex digits) and prints its id and new state.",
});
