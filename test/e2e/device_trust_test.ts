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
