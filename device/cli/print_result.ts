/**
 * Prints what a command did: with `--json` the one document `{ command, ok: true, exitCode: 0, …doc }`
 * on stdout, else `text` (one line or more).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { printResult } from "./print_result.ts";
 * const out: string[] = [];
 * const io = { stdout: (t: string) => out.push(t) };
 * const parsed = { values: {}, positionals: [], json: true, command: "timestamp" };
 * printResult(io, parsed, { doc: { versions: { timestamp: 2 } }, text: "timestamp v2" });
 * const doc = JSON.parse(out[0]!);
 * assert.deepEqual(doc, { command: "timestamp", ok: true, exitCode: 0, versions: { timestamp: 2 } });
 * ```
 * @module
 */
import type { Parsed } from "./define_command.ts";

/** Prints the success document (with `--json`) or `text`. */
export function printResult(
  io: { stdout: (text: string) => void },
  parsed: Parsed,
  result: { doc: Record<string, unknown>; text: string },
): void {
  if (parsed.json) {
    const doc = { command: parsed.command, ok: true, exitCode: 0, ...result.doc };
    io.stdout(JSON.stringify(doc, null, 2) + "\n");
  } else {
    io.stdout(result.text.endsWith("\n") ? result.text : result.text + "\n");
  }
}
