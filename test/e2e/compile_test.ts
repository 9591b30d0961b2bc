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
  type TempDir,
  tempDir,
  writeTree,
} from "../_harness.ts";

const APP = { name: "acme/clock", ref: "main", slug: "clock" };
const isX64Linux = Deno.build.os === "linux" && Deno.build.arch === "x86_64";

/** Runs `deno task compile --target <target>` (reuses an unchanged binary); resolves to the binary. */
async function compiled(target = "linux-x64-node"): Promise<string> {
  await ensureBundle();
  const args = ["run", "-A", "scripts/compile.ts", "--target", target, "--json"];
  const r = await runCommand(Deno.execPath(), args, { timeoutMs: 600_000 });
  assert.equal(r.code, 0, r.stderr);
  const [result] = JSON.parse(r.stdout);
  assert.equal(result.path, join(ROOT, `dist/bin/drover-${target}`));
  return result.path;
}

/** A served repository with release 0 of APP and a device seeded with it (not yet installed). */
async function served(tmp: TempDir) {
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
  const server = serveDir(repo.dir);
  const device = await makeDevice(tmp.join("device"), repo, APP);
  const current = () =>
    readFile(join(device.appDir, "current/.deploy"), "utf8").then((t) => JSON.parse(t).commit);
  return { commits, repo, server, device, current };
}

const ARM = {
  binary: "linux-armv7l-node",
  qemu: "/usr/bin/qemu-arm",
  sysroot: "/usr/arm-linux-gnueabihf",
} as const;
const hasQemu = isX64Linux && [ARM.qemu, `${ARM.sysroot}/lib/libatomic.so.1`].every((p) => {
  try {
    return Deno.statSync(p).isFile;
  } catch {
    return false;
  }
});

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
    const { commits, repo, server, device, current } = await served(tmp);
    await using _server = server;
    const run = (args: string[]) => runCommand(binary, args, { cwd: tmp.path });

    const update = await run(device.args("update", server.url));
    assert.equal(update.code, 0, update.stderr);
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

Deno.test({
  name: "compiled armv7l SEA binary (32-bit blob) installs a release under qemu-arm",
  // Runs where qemu-user and the armhf cross libraries are installed (apt-get install qemu-user
  // libc6-armhf-cross libstdc++6-armhf-cross libatomic1-armhf-cross); the x64 test above always runs.
  ignore: !hasQemu,
  fn: async () => {
    const binary = await compiled(ARM.binary);
    await using tmp = await tempDir("drover-sea-arm-");
    const { commits, server, device, current } = await served(tmp);
    await using _server = server;
    const r = await runCommand(ARM.qemu, ["-L", ARM.sysroot, binary, ...device.args("update", server.url)], {
      timeoutMs: 180_000,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await current(), commits[0]);
    assert.equal(await readFile(join(device.appDir, "current/index.js"), "utf8"), "console.log(0);\n");
  },
});
