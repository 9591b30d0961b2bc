/**
 * A reader that goes away (`drover status | head -1`): the CLIs drop what they would still write to
 * the closed pipe and end with the command's own exit code, no stack trace on stderr.
 */
import assert from "node:assert/strict";
import { DROVER_MJS, DROVER_REPO_MJS, ensureBundle } from "../harness.ts";

const DENO = Deno.execPath();

async function withClosedStdout(cmd: string, args: string[]): Promise<{ code: number; stderr: string }> {
  const child = new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped", stdin: "null" }).spawn();
  await child.stdout.cancel(); // the reader is gone before the first write
  const [status, stderr] = await Promise.all([child.status, new Response(child.stderr).text()]);
  return { code: status.code, stderr };
}

for (
  const [name, cmd, args] of [
    ["drover (Node)", "node", [DROVER_MJS, "--help"]],
    ["drover (Deno)", DENO, ["run", "-A", DROVER_MJS, "--help"]],
    ["drover-repo (Node)", "node", [DROVER_REPO_MJS, "--help"]],
  ] as const
) {
  Deno.test(`${name} --help into a closed pipe ends with exit 0 and nothing on stderr`, async () => {
    await ensureBundle();
    for (let i = 0; i < 3; i++) {
      const { code, stderr } = await withClosedStdout(cmd, [...args]);
      assert.equal(stderr, "");
      assert.equal(code, 0);
    }
  });
}

Deno.test("drover usage error into a closed pipe keeps its exit code 2 and its stderr message", async () => {
  await ensureBundle();
  const { code, stderr } = await withClosedStdout("node", [DROVER_MJS, "status", "--no-such-flag"]);
  assert.equal(code, 2);
  assert.match(stderr, /no-such-flag/);
  assert.doesNotMatch(stderr, /EPIPE|at /);
});
