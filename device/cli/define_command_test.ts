import assert from "node:assert/strict";
import { TrustError } from "../../core/errors.ts";
import type { Cli } from "./cli.ts";
import type { CommandIO } from "./command.ts";
import {
  defineCommand,
  errorCode,
  errorEntry,
  numberOption,
  type Parsed,
  required,
} from "./define_command.ts";
import { DROVER_CLI } from "./drover_cli.ts";
import { UsageError } from "./usage_error.ts";

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

function echo(options: { cli?: Cli; fail?: unknown } = {}) {
  const seen: Parsed[] = [];
  const command = defineCommand({
    cli: options.cli,
    name: "echo",
    summary: "echo",
    help: "Usage: x echo [--word W]",
    options: { word: { type: "string" } },
    run(parsed) {
      seen.push(parsed);
      if (options.fail !== undefined) throw options.fail;
      return Promise.resolve(0);
    },
  });
  return { command, seen };
}

Deno.test("drover commands accept every device flag, while an unknown flag stays a usage error", async () => {
  const { command, seen } = echo();
  const io = capture();
  const flags = [
    "--target",
    "t",
    "--workspace",
    "w",
    "--api",
    "http://a",
    "--trusted-root",
    "r",
    "--cache-dir",
    "c",
  ];
  assert.equal(await command.run(flags, io), 0, io.err);
  assert.equal(seen[0]!.values.api, "http://a");
  assert.equal(seen[0]!.values["cache-dir"], "c");
  assert.equal(seen[0]!.command, "echo");

  const bad = capture();
  assert.equal(await command.run(["--api", "http://a", "--bogus"], bad), 2);
  assert.match(bad.err, /^drover echo: Unknown option '--bogus'.*\nTry 'drover echo --help'\.\n$/s);
});

Deno.test("a program's shared options and name are its own: repo commands refuse device flags", async () => {
  const cli: Cli = { name: "repo", options: { repo: { type: "string" } } };
  const { command, seen } = echo({ cli });
  const io = capture();
  assert.equal(await command.run(["--repo", "r"], io), 0);
  assert.equal(seen[0]!.values.repo, "r");
  const bad = capture();
  assert.equal(await command.run(["--target", "t"], bad), 2);
  assert.match(bad.err, /^repo echo: .*'--target'.*\nTry 'repo echo --help'\.\n$/s);
});

Deno.test("--help prints the command's help with its program's footer, and exits 0", async () => {
  const { command } = echo();
  const io = capture();
  assert.equal(await command.run(["--help"], io), 0);
  assert.equal(io.out, `Usage: x echo [--word W]\n\n${DROVER_CLI.helpFooter}`);
  assert.equal(command.help, io.out);
  const plain = echo({ cli: { name: "repo" } }).command;
  assert.equal(plain.help, "Usage: x echo [--word W]\n");
});

Deno.test("usage errors exit 2 with a hint, and with --json one error document on stdout", async () => {
  const missing = defineCommand({
    name: "need",
    summary: "",
    help: "",
    options: { word: { type: "string" } },
    run: (parsed) => Promise.resolve(required(parsed, "word").length),
  });
  const io = capture();
  assert.equal(await missing.run(["--json"], io), 2);
  assert.deepEqual(JSON.parse(io.out), {
    command: "need",
    ok: false,
    exitCode: 2,
    errors: [{ code: "E_USAGE", message: "missing --word" }],
  });
  assert.equal(io.err, "drover need: missing --word\nTry 'drover need --help'.\n");

  const thrown = capture();
  const { command } = echo({ fail: new UsageError("Cannot add app: 'x' is not a version") });
  assert.equal(await command.run([], thrown), 2);
  assert.equal(thrown.err, "drover echo: 'x' is not a version\nTry 'drover echo --help'.\n");
});

Deno.test("a failing command exits with its error's code: E_FAILURE 1, named errors their own code", async () => {
  for (
    const [error, exitCode, code] of [
      [new Error("Cannot write: disk full"), 1, "E_FAILURE"],
      [new TrustError("Cannot verify root: expired"), 3, "E_TRUST"],
      [new RangeError("Cannot use '..'"), 1, "E_FAILURE"],
    ] as const
  ) {
    const { command } = echo({ fail: error });
    const json = capture();
    assert.equal(await command.run(["--json"], json), exitCode);
    assert.deepEqual(JSON.parse(json.out), {
      command: "echo",
      ok: false,
      exitCode,
      errors: [{ code, message: error.message }],
    });
    assert.equal(json.err, "", "with --json the document is the whole report");
    const text = capture();
    assert.equal(await command.run([], text), exitCode);
    assert.equal(text.err, `drover echo: ${error.message}\n`);
    assert.equal(text.out, "");
  }
});

Deno.test("UsageError.check turns a library's TypeError or RangeError into a usage error, nothing else", () => {
  const type = new TypeError("Cannot use ref '..'");
  assert.throws(() =>
    UsageError.check(() => {
      throw type;
    }), (e: unknown) => e instanceof UsageError && e.cause === type);
  const other = new Error("Cannot read: EIO");
  assert.throws(() =>
    UsageError.check(() => {
      throw other;
    }), (e: unknown) => e === other);
});

Deno.test("numberOption's usage error states the whole range it checks, and the value given", () => {
  const parsed = (v: string) => ({ values: { n: v }, positionals: [] }) as unknown as Parsed;
  assert.throws(() => numberOption(parsed("3"), "n", { min: 1, max: 2, integer: true }), {
    name: "UsageError",
    message: /--n needs a whole number from 1 to 2, not "3"/,
  });
  assert.throws(() => numberOption(parsed("500"), "n", { min: 0, max: 100 }), {
    message: /--n needs a number from 0 to 100, not "500"/,
  });
  assert.throws(() => numberOption(parsed("-1"), "n", { min: 0 }), {
    message: /--n needs a number >= 0, not "-1"/,
  });
  assert.equal(numberOption(parsed("2"), "n", { min: 1, max: 2 }), 2);
});

Deno.test("a full or read-only file system nothing named: one line with a stable code, exit 1", async () => {
  const full = Object.assign(new Error("ENOSPC: no space left on device, open '/w/x'"), {
    code: "ENOSPC",
    path: "/w/x",
  });
  const { command } = echo({ fail: full });
  const text = capture();
  assert.equal(await command.run([], text), 1);
  assert.equal(text.err, "drover echo: Cannot echo: no space left on device (/w)\n");
  const json = capture();
  assert.equal(await command.run(["--json"], json), 1);
  assert.deepEqual(JSON.parse(json.out).errors, [
    { code: "E_NO_SPACE", message: "Cannot echo: no space left on device (/w)" },
  ]);
  assert.equal(errorCode(new Error("Read-only file system (os error 30)")), "E_READ_ONLY");
  assert.equal(errorCode(new Error("boom")), "E_FAILURE");
});

Deno.test("errorEntry names a full or read-only file system with the path, not raw errno text", () => {
  const raw = Object.assign(
    new Error("ENOSPC: no space left on device, mkdir '/t/radio/releases/.staging-x'"),
    {
      code: "ENOSPC",
      syscall: "mkdir",
      path: "/t/radio/releases/.staging-x",
    },
  );
  const entry = errorEntry(raw, "acme/radio");
  assert.equal(entry.code, "E_NO_SPACE");
  assert.equal(entry.app, "acme/radio");
  assert.match(entry.message, /^Cannot write acme\/radio: no space left on device \(\/t\/radio\/releases/);
  assert.deepEqual(errorEntry(new Error("boom")), { code: "E_FAILURE", message: "boom" });
});
