/**
 * `drover-fleet reject ID`: reject a device; the edge refuses its check-ins and reports from then on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { command } from "./reject.ts";
 * const out: string[] = [];
 * const code = await command.run(["--help"], { stdout: (t) => out.push(t), stderr: () => {}, env: {}, stderrIsTTY: false });
 * assert.ok(code === 0 && out.join("").startsWith("Usage: drover-fleet reject ID"));
 * ```
 * @module
 */
import { stateCommand } from "./_set_state.ts";

/** The `reject` subcommand. */
export const command = stateCommand("reject", {
  summary: "reject a device",
  about: "Rejects a device (ID: d_ and 32 hex digits) and prints its id and new state.",
});
