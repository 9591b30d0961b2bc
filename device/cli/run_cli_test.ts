import assert from "node:assert/strict";
import type { CommandIO } from "./command.ts";
import { defineCommand } from "./define_command.ts";
import { type Program, programHelp, runCli } from "./run_cli.ts";
import { VERSION } from "./version.ts";

function capture(): CommandIO & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
    env: {},
    stderrIsTTY: false,
  };
  return io;
}

const hello = defineCommand({
  cli: { name: "demo" },
  name: "hello",
  summary: "say hello",
  help: "Usage: demo hello",
  options: {},
  run: (_parsed, io) => (io.stdout("hello\n"), Promise.resolve(0)),
});
const broken = defineCommand({
  cli: { name: "demo" },
  name: "broken",
  summary: "escape the framework",
  help: "Usage: demo broken",
  options: {},
  run: () => Promise.resolve(0),
});
broken.run = () => Promise.reject(new Error("bug"));
const PROGRAM: Program = {
  cli: { name: "demo", title: "demo-cli" },
  about: "A demo.",
  commands: [hello, broken],
  notes: "Exit codes: 0 ok.",
};

Deno.test("the version comes from deno.json, and --version prints it under the program's title", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  assert.equal(VERSION, config.version);
  const io = capture();
  assert.equal(await runCli(["--version"], io, PROGRAM), 0);
  assert.equal(io.out, `demo-cli ${VERSION}\n`);
});

Deno.test("--help lists every command on stdout; no command prints it on stderr and exits 2", async () => {
  const help = capture();
  assert.equal(await runCli(["--help"], help, PROGRAM), 0);
  assert.equal(help.out, programHelp(PROGRAM));
  assert.ok(
    help.out.startsWith("Usage: demo <command> [options]\n\nA demo.\n\nCommands:\n  hello   say hello\n"),
    help.out,
  );
  assert.ok(help.out.endsWith("\nExit codes: 0 ok.\n  demo --version   print the version\n"), help.out);
  const none = capture();
  assert.equal(await runCli([], none, PROGRAM), 2);
  assert.equal(none.err, programHelp(PROGRAM));
  const one = capture();
  assert.equal(await runCli(["help", "hello"], one, PROGRAM), 0);
  assert.equal(one.out, "Usage: demo hello\n");
});

Deno.test("an unknown command exits 2 with a hint, and with --json the error document", async () => {
  const io = capture();
  assert.equal(await runCli(["frob", "--json"], io, PROGRAM), 2);
  assert.equal(io.err, "demo: unknown command 'frob'\nTry 'demo --help'.\n");
  assert.deepEqual(JSON.parse(io.out), {
    command: "",
    ok: false,
    exitCode: 2,
    errors: [{ code: "E_USAGE", message: "unknown command 'frob'" }],
  });
});

Deno.test("the command on the first word runs; an error escaping it is exit 1 with its stack", async () => {
  const io = capture();
  assert.equal(await runCli(["hello"], io, PROGRAM), 0);
  assert.equal(io.out, "hello\n");
  const bug = capture();
  assert.equal(await runCli(["broken"], bug, PROGRAM), 1);
  assert.match(bug.err, /^demo broken: Error: bug\n {4}at /);
});
