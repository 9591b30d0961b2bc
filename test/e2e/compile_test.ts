/**
 * `deno task compile` makes a Node single-executable `drover` for x86_64 Linux that runs on its own:
 * `--version`, `--help`, and a real update, check and install against a served repository. The armv7l
 * and arm64 binaries do the same update, check and install under qemu-user (on CI, where .ci/run installs
 * it, a missing qemu fails those tests; elsewhere they are skipped).
 * A binary is reused when its inputs are unchanged (scripts/compile.ts keeps a stamp in dist/.cache).
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
} from "../harness.ts";

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

/**
 * The arm binaries run here under qemu-user (invoked explicitly with `-L <sysroot>`: binfmt_misc is often
 * not mounted in containers) with the target's runtime libraries from Debian's cross packages.
 */
const EMULATED = [
  {
    target: "linux-armv7l-node",
    qemu: ["qemu-arm", "qemu-arm-static"],
    sysroot: "/usr/arm-linux-gnueabihf",
    libs: ["ld-linux-armhf.so.3", "libstdc++.so.6", "libatomic.so.1"],
  },
  {
    target: "linux-arm64-node",
    qemu: ["qemu-aarch64", "qemu-aarch64-static"],
    sysroot: "/usr/aarch64-linux-gnu",
    libs: ["ld-linux-aarch64.so.1", "libstdc++.so.6"],
  },
] as const;
const QEMU_PACKAGES = "qemu-user libc6-armhf-cross libstdc++6-armhf-cross libatomic1-armhf-cross " +
  "libc6-arm64-cross libstdc++6-arm64-cross libatomic1-arm64-cross";
/** On CI a missing emulator fails the arm tests instead of skipping them (.ci/run installs it). */
const isCI = Deno.env.get("CI") === "true";

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** The qemu command line prefix for `e`, or what is missing. */
function emulator(e: typeof EMULATED[number]): { command: string[] } | { missing: string[] } {
  const dirs = (Deno.env.get("PATH") ?? "/usr/bin").split(":").filter(Boolean);
  const qemu = e.qemu.flatMap((name) => dirs.map((dir) => join(dir, name))).find(isFile);
  const missing = [
    ...(qemu ? [] : [e.qemu.join(" or ")]),
    ...e.libs.map((lib) => join(e.sysroot, "lib", lib)).filter((path) => !isFile(path)),
  ];
  return qemu && !missing.length ? { command: [qemu, "-L", e.sysroot] } : { missing };
}

/**
 * `binary update` installs release 0 of APP from a served repository; then `check` only downloads
 * release 1, `install` switches to it and a second `update --json` prints one JSON document.
 */
async function updatesDevice(tmp: TempDir, command: string[], timeoutMs = 60_000): Promise<void> {
  const { commits, repo, server, device, current } = await served(tmp);
  await using _server = server;
  const run = (args: string[]) =>
    runCommand(command[0]!, [...command.slice(1), ...args], { cwd: tmp.path, timeoutMs });

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
    await updatesDevice(tmp, [binary]);
  },
});

for (const e of EMULATED) {
  const qemu = emulator(e);
  Deno.test({
    name: `compiled ${e.target.split("-")[1]} SEA binary updates a device under ${e.qemu[0]}`,
    // Needs qemu-user and the cross runtime libraries (QEMU_PACKAGES); skipped without them, except on CI
    // (.ci/run installs them) where that is a failure.
    ignore: !isX64Linux || ("missing" in qemu && !isCI),
    fn: async () => {
      if ("missing" in qemu) {
        assert.fail(
          `CI=true but cannot emulate ${e.target}: missing ${qemu.missing.join(", ")} ` +
            `(apt-get install ${QEMU_PACKAGES})`,
        );
      }
      const binary = await compiled(e.target);
      await using tmp = await tempDir(`drover-sea-${e.target}-`);
      await updatesDevice(tmp, [...qemu.command, binary], 180_000);
    },
  });
}
