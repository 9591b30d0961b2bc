/**
 * Runs the `drover` CLI's `main` in this process (no bundle, no child), capturing its output.
 * For tests that want speed and direct imports; the bundle is exercised by device_fixture.ts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { droverInProcess } from "./_drover_in_process.ts";
 * const r = await droverInProcess("--version");
 * assert.equal(r.code, 0);
 * ```
 * @module
 */
import { main } from "../../device/drover.ts";

/** Exit code, stdout, stderr, and stdout parsed as JSON on demand. */
export async function droverInProcess(...argv: string[]) {
  let stdout = "", stderr = "";
  const code = await main(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: {},
    stderrIsTTY: false,
  });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}
