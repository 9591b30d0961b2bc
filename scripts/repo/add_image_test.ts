import assert from "node:assert/strict";
import { command } from "./add_image.ts";

function io() {
  const out = { stdout: "", stderr: "" };
  return {
    out,
    io: {
      stdout: (t: string) => void (out.stdout += t),
      stderr: (t: string) => void (out.stderr += t),
      env: {},
      stderrIsTTY: false,
    },
  };
}

Deno.test("repo add-image refuses --recommended on a pre-release (exit 2): recommended never resolves to one", async () => {
  for (const extra of [["--version", "2.0.0-rc.1"], ["--version", "2.0.0", "--prerelease"]]) {
    const { out, io: cio } = io();
    const args = ["--repo", "r", "--keys", "k", "--device-type", "rpi4", "--file", "os.img", "--recommended"];
    const code = await command.run([...args, ...extra, "--json"], cio);
    assert.equal(code, 2, out.stderr);
    assert.match(JSON.parse(out.stdout).errors[0].message, /is never recommended/);
  }
});
