/**
 * `deno task compile` makes a Node single-executable `drover` for x86_64 Linux that runs on its own:
 * `--version`, `--help`, and a real update, check and install against a served repository.
 * The binary is reused when its inputs are unchanged (scripts/compile.ts keeps a stamp in dist/.cache).
 */
import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  buildRepo,
  commitId,
  ensureBundle,
  makeDevice,
  ROOT,
  runCommand,
  runDrover,
  serveDir,
  tarGz,
  tempDir,
  writeTree,
} from "../_harness.ts";

const BINARY = join(ROOT, "dist/bin/drover-linux-x64-node");
const APP = { name: "acme/clock", ref: "main", slug: "clock" };
const isX64Linux = Deno.build.os === "linux" && Deno.build.arch === "x86_64";

async function compiled(): Promise<string> {
  await ensureBundle();
  const r = await runCommand(Deno.execPath(), [
    "run",
    "-A",
    "scripts/compile.ts",
    "--target",
    "linux-x64-node",
    "--json",
  ], {
    timeoutMs: 600_000,
  });
  assert.equal(r.code, 0, r.stderr);
  const [result] = JSON.parse(r.stdout);
  assert.equal(result.path, BINARY);
  return BINARY;
}

Deno.test({
  name: "compiled x64 SEA binary prints the bundle's --version and --help and updates a device on its own",
  ignore: !isX64Linux,
  fn: async () => {
    const binary = await compiled();
    assert.ok((await stat(binary)).mode & 0o100, "binary is executable");

    const version = await runCommand(binary, ["--version"]);
    assert.equal(version.code, 0, version.stderr);
    const bundleVersion = await runDrover(["--version"]);
    assert.equal(version.stdout, bundleVersion.stdout, "same --version as node dist/drover.mjs");
    assert.match(version.stdout, /\d+\.\d+\.\d+/);
    assert.doesNotMatch(version.stderr, /ExperimentalWarning|single executable/i, "no SEA warning");

    const help = await runCommand(binary, ["--help"]);
    assert.equal(help.code, 0, help.stderr);
    for (const command of ["check", "install", "update", "status", "rollback", "gc"]) {
      assert.match(help.stdout, new RegExp(`\\b${command}\\b`), `--help lists ${command}`);
    }
    const usage = await runCommand(binary, ["no-such-command"]);
    assert.equal(usage.code, 2, "usage errors exit 2");

    await using tmp = await tempDir("drover-sea-");
    const commits = [commitId("clock one"), commitId("clock two")];
    for (const i of [0, 1]) {
      await writeTree(tmp.join(`c${i}`), {
        "index.js": `console.log(${i});\n`,
        "assets/data.bin": "x".repeat(50_000 * (i + 1)),
      });
      await tarGz(tmp.join(`c${i}`), tmp.join(`c${i}.tar.gz`));
    }
    const repo = await buildRepo(tmp.join("repo"), [{
      ...APP,
      commit: commits[0]!,
      file: tmp.join("c0.tar.gz"),
    }]);
    await using server = serveDir(repo.dir);
    const device = await makeDevice(tmp.join("device"), repo, APP);
    const run = (args: string[]) => runCommand(binary, args, { cwd: tmp.path });

    const update = await run(device.args("update", server.url));
    assert.equal(update.code, 0, update.stderr);
    const current = () =>
      readFile(join(device.appDir, "current/.deploy"), "utf8").then((t) => JSON.parse(t).commit);
    assert.equal(await current(), commits[0]);
    assert.equal(await readFile(join(device.appDir, "current/index.js"), "utf8"), "console.log(0);\n");

    await repo.addApp({ ...APP, commit: commits[1]!, file: tmp.join("c1.tar.gz") });
    const check = await run(device.args("check", server.url));
    assert.equal(check.code, 0, check.stderr);
    assert.equal(await current(), commits[0], "check only downloads");
    const install = await run(device.args("install"));
    assert.equal(install.code, 0, install.stderr);
    assert.equal(await current(), commits[1]);
    assert.equal(await readFile(join(device.appDir, "current/assets/data.bin"), "utf8"), "x".repeat(100_000));

    const again = await run([...device.args("update", server.url), "--json"]);
    assert.equal(again.code, 0, again.stderr);
    JSON.parse(again.stdout); // one JSON document
  },
});
