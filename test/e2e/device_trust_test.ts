import assert from "node:assert/strict";
import { join } from "node:path";
import { DeviceFixture, drover, jsonOf } from "./device_fixture.ts";

Deno.test("a release with a lower signed serial is refused (exit 3) unless signed metadata allows the downgrade", async () => {
  await using fx = await DeviceFixture.create();
  await fx.installApp("radio", { name: "acme/radio", ref: "main", commit: "9999999", serial: 5 });
  await fx.publish("acme/radio", "main", "aaaaaaa1", { VERSION: "1\n" });
  const r = await drover(["update", ...fx.args(), "--api", fx.fileApi(), "--json"]);
  assert.equal(r.code, 3, r.stderr);
  const doc = jsonOf(r);
  assert.equal(doc.check.apps[0].action, "refused");
  assert.equal(doc.check.apps[0].error.code, "E_TRUST");
  assert.match(doc.check.apps[0].error.message, /serial 1 is older than the installed 5/);
  assert.equal(await fx.currentCommit("radio"), "9999999");
  assert.deepEqual([...Deno.readDirSync(join(fx.ws, "downloads"))], [], "nothing downloaded");

  await fx.publish("acme/radio", "main", "bbbbbbb2", { VERSION: "2\n" }, { allowDowngrade: true });
  const allowed = await drover(["update", ...fx.args(), "--api", fx.fileApi()]);
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.equal(await fx.currentCommit("radio"), "bbbbbbb2");
});

Deno.test("a tampered archive in the repository is refused (exit 3) and nothing changes", async () => {
  await using fx = await DeviceFixture.create();
  await fx.installApp("radio", { name: "acme/radio", ref: "main", commit: "0000000" });
  await fx.publish("acme/radio", "main", "aaaaaaa1", { VERSION: "1\n" });
  const dir = join(fx.repo, "targets/apps/acme/radio/main");
  const [file] = [...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".tar.gz")).map((e) =>
    join(dir, e.name)
  );
  const bytes = await Deno.readFile(file!);
  bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
  await Deno.writeFile(file!, bytes);
  // check verifies the whole download before keeping it
  const c = await drover(["check", ...fx.args(), "--api", fx.fileApi()]);
  assert.equal(c.code, 3, c.stderr);
  assert.match(c.stderr, /sha256 mismatch/);
  // update extracts while it downloads: the archive parser or the final digest refuses it, nothing is switched
  const r = await drover(["update", ...fx.args(), "--api", fx.fileApi()]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /sha256 mismatch|Cannot (read|gunzip) archive/);
  assert.equal(await fx.currentCommit("radio"), "0000000");
  assert.deepEqual([...Deno.readDirSync(join(fx.ws, "downloads"))], []);
  assert.deepEqual([...Deno.readDirSync(join(fx.target, "radio/releases"))].map((e) => e.name), ["0"]);
});

Deno.test("a --trusted-root that is not a root signed by its own keys is refused (exit 3) though the workspace has one", async () => {
  await using fx = await DeviceFixture.create(); // ws/tuf/root.json provisioned
  await fx.installApp("radio", { name: "acme/radio", ref: "main", commit: "0000000" });
  await fx.publish("acme/radio", "main", "aaaaaaa1", { VERSION: "1\n" });
  const root = JSON.parse(await Deno.readTextFile(join(fx.repo, "tuf/1.root.json")));
  const unsigned = join(fx.dir, "unsigned.json");
  await Deno.writeTextFile(unsigned, JSON.stringify({ ...root, signatures: [] }));
  const garbage = join(fx.dir, "garbage.json");
  await Deno.writeTextFile(garbage, "not a root\n");
  const cases = [
    [garbage, /not TUF metadata/],
    [join(fx.repo, "tuf/timestamp.json"), /not root metadata \(_type "timestamp"\)/],
    [unsigned, /not signed by its own root keys \(signed by 0\/1 keys\)/],
    [join(fx.dir, "missing.json"), /ENOENT|no such file/i],
  ] as const;
  for (const [file, detail] of cases) {
    for (const command of ["check", "update"]) {
      const r = await drover([
        command,
        ...fx.args(),
        "--api",
        fx.fileApi(),
        "--trusted-root",
        file,
        "--json",
      ]);
      assert.equal(r.code, 3, `${command} ${file}: ${r.stdout}`);
      const error = jsonOf(r).errors[0];
      assert.equal(error.code, "E_TRUST");
      assert.ok(error.message.startsWith(`Cannot read trusted root ${file}: `), error.message);
      assert.match(error.message, detail);
    }
    const env = await drover(["check", ...fx.args(), "--api", fx.fileApi()], {
      env: { DROVER_TRUSTED_ROOT: file },
    });
    assert.equal(env.code, 3, env.stderr);
  }
  assert.deepEqual([...Deno.readDirSync(join(fx.ws, "downloads"))], [], "nothing downloaded");
  assert.equal(await fx.currentCommit("radio"), "0000000");
  // the repository's own first root is fine, also once the workspace trusts a newer one
  const ok = await drover([
    "update",
    ...fx.args(),
    "--api",
    fx.fileApi(),
    "--trusted-root",
    join(fx.repo, "tuf/1.root.json"),
  ]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(await fx.currentCommit("radio"), "aaaaaaa1");
});
