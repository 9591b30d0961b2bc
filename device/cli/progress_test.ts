import assert from "node:assert/strict";
import { ProgressBar } from "./progress.ts";

Deno.test("ProgressBar draws on a TTY, logs sparse lines otherwise, and is silent in --json mode", () => {
  const tty: string[] = [];
  const bar = new ProgressBar({ stderr: (t) => tty.push(t), stderrIsTTY: true }, { label: "a", total: 100 });
  bar.update(50);
  bar.done();
  bar.done();
  assert.ok(tty[0]!.startsWith("\r\x1b[2Ka [" + "#".repeat(15) + "-".repeat(15) + "]  50%"), tty[0]);
  assert.equal(tty.at(-1), "\n");

  const log: string[] = [];
  const plain = new ProgressBar({ stderr: (t) => log.push(t), stderrIsTTY: false }, {
    label: "a",
    total: 2048,
  });
  plain.update(1024);
  plain.done({ ok: false });
  assert.deepEqual(log, ["downloading a (2.0 KiB)\n", "failed to download a (1.0 KiB)\n"]);

  const json: string[] = [];
  const quiet = new ProgressBar({ stderr: (t) => json.push(t), stderrIsTTY: true }, {
    label: "a",
    json: true,
  });
  quiet.update(1);
  quiet.done();
  assert.deepEqual(json, []);
});

Deno.test("ProgressBar says a transfer stopped (not failed) when what read it failed", () => {
  const log: string[] = [];
  const plain = new ProgressBar({ stderr: (t) => log.push(t), stderrIsTTY: false }, {
    label: "a",
    total: 2048,
  });
  plain.done({ ok: false, stopped: true });
  assert.deepEqual(log, ["downloading a (2.0 KiB)\n", "stopped downloading a (0.0 KiB)\n"]);
  const tty: string[] = [];
  const bar = new ProgressBar({ stderr: (t) => tty.push(t), stderrIsTTY: true }, { label: "a", total: 100 });
  bar.done({ ok: false, stopped: true });
  assert.equal(tty.at(-1), " stopped\n");
});
