/**
 * A workspace or target that is full or read-only, and a lock left empty by a power cut with the
 * clock ahead. The full and read-only cases mount a small tmpfs: they run as root only and are
 * skipped otherwise (the unit tests of device/fs/lock.ts inject the same failures without root).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCommand } from "../harness.ts";
import { DeviceFixture, drover, jsonOf } from "./device_fixture.ts";

const isRoot = Deno.uid() === 0;

/** Mounts a 1 MiB tmpfs on `dir` (created); `undefined` where mounting is not allowed. */
async function tmpfs(dir: string) {
  await Deno.mkdir(dir, { recursive: true });
  const r = await runCommand("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", dir]);
  if (r.code !== 0) return undefined;
  return {
    remount: (options: string) => runCommand("mount", ["-o", `remount,${options}`, dir]),
    fill: async () => {
      // fills the file system to the last block
      const f = await Deno.open(join(dir, "fill"), { write: true, create: true });
      for (const size of [4096, 1]) {
        try {
          for (;;) await f.write(new Uint8Array(size));
        } catch {
          /* ENOSPC */
        }
      }
      f.close();
    },
    [Symbol.asyncDispose]: async () => void await runCommand("umount", [dir]),
  };
}

Deno.test("an empty lock with an mtime in the future (power cut, clock set back since) does not block updates", async () => {
  await using fx = await DeviceFixture.create();
  await fx.installApp("radio", { name: "acme/radio", ref: "main", commit: "0000000" });
  await fx.publish("acme/radio", "main", "aaaaaaa1", { VERSION: "1\n" });
  await Deno.mkdir(fx.ws, { recursive: true });
  const lock = join(fx.ws, "lock");
  await Deno.writeTextFile(lock, "");
  const ahead = new Date(Date.now() + 365 * 86_400_000);
  await Deno.utime(lock, ahead, ahead);
  const r = await drover(["update", ...fx.args(), "--api", fx.fileApi()]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await fx.currentCommit("radio"), "aaaaaaa1");
  await assert.rejects(Deno.stat(lock), Deno.errors.NotFound);
});

Deno.test({
  name: "gc on a full target frees space though it cannot create the app's lock file",
  ignore: !isRoot,
  fn: async () => {
    await using fx = await DeviceFixture.create();
    await using fs = await tmpfs(fx.target);
    if (!fs) return; // not allowed to mount here
    await fx.installApp("radio", { name: "acme/radio", ref: "main", commit: "0000000" });
    for (const commit of ["aaaaaaa1", "aaaaaaa2"]) {
      await fx.publish("acme/radio", "main", commit, { VERSION: `${commit}\n` });
      const r = await drover(["update", ...fx.args(), "--api", fx.fileApi()]);
      assert.equal(r.code, 0, r.stderr);
    }
    await fs.fill();
    const releases = join(fx.target, "radio/releases");
    assert.equal([...Deno.readDirSync(releases)].length, 3);
    const r = await drover(["gc", "--target", fx.target, "--keep", "0", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      [...Deno.readDirSync(releases)].length,
      2,
      "the release neither current nor previous is gone",
    );
    assert.equal(await fx.currentCommit("radio"), "aaaaaaa2");
  },
});

for (const runtime of ["deno", "node"] as const) {
  Deno.test({
    name:
      `${runtime}: a full workspace is E_NO_SPACE (exit 1, not 75), a read-only one E_READ_ONLY, no temp file left`,
    ignore: !isRoot,
    fn: async () => {
      await using fx = await DeviceFixture.create();
      await fx.installApp("radio", { name: "acme/radio", ref: "main", commit: "0000000" });
      await fx.publish("acme/radio", "main", "aaaaaaa1", { VERSION: "1\n" });
      const ws = join(fx.dir, "full");
      await using fs = await tmpfs(ws);
      if (!fs) return; // not allowed to mount here
      await fs.fill();
      const args = [
        "--target",
        fx.target,
        "--workspace",
        ws,
        "--trusted-root",
        join(fx.repo, "tuf/1.root.json"),
      ];
      for (const command of ["update", "check", "install"]) {
        const r = await drover([command, ...args, "--api", fx.fileApi(), "--json"], { runtime });
        assert.equal(r.code, 1, r.stderr);
        assert.deepEqual(jsonOf(r).errors, [{
          code: "E_NO_SPACE",
          message: `Cannot lock ${ws}/lock: no space left on device (${ws})`,
        }]);
      }
      const text = await drover(["update", ...args, "--api", fx.fileApi()], { runtime });
      assert.equal(text.code, 1, text.stderr);
      assert.equal(text.stderr, `drover update: Cannot lock ${ws}/lock: no space left on device (${ws})\n`);
      const names = () => [...Deno.readDirSync(ws)].map((e) => e.name).sort();
      assert.deepEqual(names(), ["downloads", "fill", "manifests", "tuf"], "no lock, no lock.new-*");
      // read-only: the same, E_READ_ONLY
      assert.equal((await fs.remount("ro")).code, 0);
      const ro = await drover(["check", ...args, "--api", fx.fileApi(), "--json"], { runtime });
      assert.equal(ro.code, 1, ro.stderr);
      assert.deepEqual(jsonOf(ro).errors, [{
        code: "E_READ_ONLY",
        message: `Cannot lock ${ws}/lock: read-only file system (${ws})`,
      }]);
    },
  });

  Deno.test({
    name: `${runtime}: a read-only target fails the install naming the step, not the download`,
    ignore: !isRoot,
    fn: async () => {
      await using fx = await DeviceFixture.create();
      await fx.installApp("radio", { name: "acme/radio", ref: "main", commit: "0000000" });
      await fx.publish("acme/radio", "main", "aaaaaaa1", { VERSION: "1\n" });
      const releases = join(fx.target, "radio/releases");
      const bind = await runCommand("mount", ["--bind", releases, releases]);
      if (bind.code !== 0) return; // not allowed to mount here
      try {
        await runCommand("mount", ["-o", "remount,bind,ro", releases]);
        const r = await drover(["update", ...fx.args(), "--api", fx.fileApi()], { runtime });
        assert.equal(r.code, 1, r.stderr);
        const message =
          `Cannot create the staging directory of acme/radio aaaaaaa1: read-only file system (${releases})`;
        assert.match(r.stderr, /stopped downloading acme\/radio aaaaaaa1 \(0\.0 KiB\)\n/);
        assert.doesNotMatch(r.stderr, /failed to download/);
        assert.ok(r.stderr.includes(`acme/radio: ${message}\n`), r.stderr);
        const again = await drover(["install", ...fx.args(), "--json"], { runtime });
        assert.equal(again.code, 1, again.stderr);
        const apps: { action: string; error: unknown }[] = jsonOf(again).apps;
        assert.deepEqual(apps.map((a) => [a.action, a.error]), [
          ["failed", { app: "acme/radio", code: "E_READ_ONLY", message }],
        ]);
      } finally {
        await runCommand("umount", [releases]);
      }
    },
  });
}
