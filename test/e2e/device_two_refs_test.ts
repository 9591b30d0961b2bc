/**
 * End to end: a radiodan target holding one app on two refs (`radio-master` and `radio-develop`,
 * `.deploy` refs master and develop), read as it is: both are updated from their own ref, `status`
 * and `status.json` keep them apart (`name@ref`), `rollback` asks which one, and two directories
 * claiming the same name and ref are still refused.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DeviceFixture, drover, jsonOf } from "./device_fixture.ts";

const NAME = "radiodan/radio";

Deno.test("one app on two refs in two directories: each updated from its ref, kept apart in status", async () => {
  await using fx = await DeviceFixture.create();
  await fx.installApp("radio-master", { name: NAME, ref: "master", commit: "0000001" }, { absolute: true });
  await fx.installApp("radio-develop", { name: NAME, ref: "develop", commit: "0000002" }, { absolute: true });
  await fx.publish(NAME, "master", "aaaaaaa1", { "VERSION": "master 1\n" });
  await fx.publish(NAME, "develop", "bbbbbbb1", { "VERSION": "develop 1\n" });

  const check = await drover(["check", ...fx.args(), "--api", fx.fileApi(), "--json"]);
  assert.equal(check.code, 0, check.stderr);
  const planned = jsonOf(check).apps.map((a: { dir: string; available: string; action: string }) =>
    `${a.dir} ${a.available} ${a.action}`
  );
  assert.deepEqual(planned.sort(), ["radio-develop bbbbbbb1 downloaded", "radio-master aaaaaaa1 downloaded"]);
  assert.deepEqual(
    [...Deno.readDirSync(join(fx.ws, "manifests"))].map((e) => e.name).sort(),
    ["radiodan~radio@develop.json", "radiodan~radio@master.json"],
    "one pending record per name and ref",
  );

  const install = await drover(["install", ...fx.args(), "--json"]);
  assert.equal(install.code, 0, install.stderr);
  assert.equal(await fx.currentCommit("radio-master"), "aaaaaaa1");
  assert.equal(await fx.currentCommit("radio-develop"), "bbbbbbb1");
  assert.equal(await Deno.readTextFile(join(fx.target, "radio-develop/current/VERSION")), "develop 1\n");

  const status = JSON.parse(await Deno.readTextFile(join(fx.ws, "status.json")));
  assert.deepEqual(Object.keys(status.apps).sort(), [`${NAME}@develop`, `${NAME}@master`]);
  assert.equal(status.apps[`${NAME}@develop`].current, "bbbbbbb1");
  const shown = jsonOf(await drover(["status", ...fx.args(), "--json"]));
  assert.deepEqual(shown.errors, [], "no 'also installed' refusal");
  assert.deepEqual(shown.apps.map((a: { ref: string }) => a.ref).sort(), ["develop", "master"]);

  // rollback by name alone is ambiguous; by name@ref or directory it is not, and marks that one bad
  await fx.publish(NAME, "develop", "bbbbbbb2", { "VERSION": "develop 2\n" });
  assert.equal((await drover(["update", ...fx.args(), "--api", fx.fileApi()])).code, 0);
  const ambiguous = await drover(["rollback", ...fx.args(), "--app", NAME]);
  assert.equal(ambiguous.code, 2);
  // which refs, and how to choose one
  assert.equal(
    ambiguous.stderr.split("\n")[0],
    "drover rollback: radiodan/radio is installed on refs develop (radio-develop) and master (radio-master): " +
      "choose one with --app radiodan/radio@develop or --app radiodan/radio@master (or its directory name)",
  );
  const back = await drover(["rollback", ...fx.args(), "--app", `${NAME}@develop`, "--json"]);
  assert.equal(back.code, 0, back.stderr);
  assert.equal(await fx.currentCommit("radio-develop"), "bbbbbbb1");
  const after = JSON.parse(await Deno.readTextFile(join(fx.ws, "status.json")));
  assert.deepEqual(after.apps[`${NAME}@develop`].bad, ["bbbbbbb2"]);
  assert.deepEqual(after.apps[`${NAME}@master`].bad, []);
  const again = jsonOf(await drover(["check", ...fx.args(), "--api", fx.fileApi(), "--json"]));
  const develop = again.apps.find((a: { dir: string }) => a.dir === "radio-develop");
  assert.equal(develop.action, "skipped-bad", "the bad commit is the develop app's only");
});

Deno.test("two directories with the same name and ref are still refused; a second ref beside one keeps its bad commits", async () => {
  await using fx = await DeviceFixture.create();
  await fx.installApp("radio", { name: NAME, ref: "master", commit: "0000001" });
  await fx.installApp("radio-copy", { name: NAME, ref: "master", commit: "0000001" });
  const status = jsonOf(await drover(["status", ...fx.args(), "--json"]));
  assert.equal(status.exitCode, 1);
  assert.match(
    status.errors[0].message,
    /app radiodan\/radio \(ref master\) is also installed in .*\/radio$/,
  );
  await Deno.remove(join(fx.target, "radio-copy"), { recursive: true });

  // one directory: keyed by its name; marked bad commits move with it when a second ref appears
  await fx.publish(NAME, "master", "aaaaaaa1", { "VERSION": "1\n" });
  assert.equal((await drover(["update", ...fx.args(), "--api", fx.fileApi()])).code, 0);
  assert.equal((await drover(["rollback", ...fx.args(), "--app", NAME])).code, 0);
  const before = JSON.parse(await Deno.readTextFile(join(fx.ws, "status.json")));
  assert.deepEqual(before.apps[NAME].bad, ["aaaaaaa1"]);
  await fx.installApp("radio-develop", { name: NAME, ref: "develop", commit: "0000002" });
  assert.equal((await drover(["status", ...fx.args(), "--json"])).code, 0);
  const check = jsonOf(await drover(["check", ...fx.args(), "--api", fx.fileApi(), "--json"]));
  assert.equal(check.apps.find((a: { dir: string }) => a.dir === "radio").action, "skipped-bad");
  const moved = JSON.parse(await Deno.readTextFile(join(fx.ws, "status.json")));
  assert.deepEqual(Object.keys(moved.apps).sort(), [`${NAME}@develop`, `${NAME}@master`]);
  assert.deepEqual(moved.apps[`${NAME}@master`].bad, ["aaaaaaa1"]);
});
