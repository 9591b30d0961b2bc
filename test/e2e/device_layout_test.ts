import assert from "node:assert/strict";
import { join } from "node:path";
import { DeviceFixture, drover, jsonOf } from "./device_fixture.ts";

Deno.test("a radiodan target (absolute current link, timestamp releases) is updated as it is", async () => {
  await using fx = await DeviceFixture.create();
  const app = await fx.installApp(
    "magic-button",
    { name: "radiodan/magic-button", ref: "master", commit: "d0ab003502b32510f8acd1c94b4b41664be6884" },
    { id: "123451234", absolute: true, files: { "main.js": "old\n" } },
  );
  await Deno.mkdir(join(app, "releases/123451231"));
  await Deno.writeTextFile(
    join(app, "releases/123451231/.deploy"),
    JSON.stringify({ name: "radiodan/magic-button", ref: "master", commit: "c0ffee0" }),
  );
  await Deno.mkdir(join(fx.target, "not-a-valid-app/src"), { recursive: true });
  await Deno.mkdir(join(fx.target, "not-a-valid-app/bin"), { recursive: true });
  await fx.publish("radiodan/magic-button", "master", "68200ec154d6dbdcc648e5706bb860c57b7fb621", {
    "main.js": "new\n",
  });

  const r = await drover(["update", ...fx.args(), "--api", fx.fileApi(), "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const doc = jsonOf(r);
  assert.deepEqual(doc.errors, [], "directories without the layout are skipped quietly");
  assert.equal(doc.check.apps.length, 1);
  assert.equal(await fx.link("magic-button", "current"), "releases/1-68200ec154d6");
  assert.equal(await fx.link("magic-button", "previous"), "releases/123451234");
  assert.equal(await Deno.readTextFile(join(app, "current/main.js")), "new\n");

  const rb = await drover(["rollback", "--target", fx.target, "--app", "radiodan/magic-button"]);
  assert.equal(rb.code, 0, rb.stderr);
  assert.equal(await Deno.readTextFile(join(app, "current/main.js")), "old\n");
});

Deno.test("a broken .deploy is reported for that app, the others are updated, and the run exits 1", async () => {
  await using fx = await DeviceFixture.create();
  await fx.installApp("radio", { name: "acme/radio", ref: "main", commit: "0000000" });
  const broken = join(fx.target, "broken");
  await Deno.mkdir(join(broken, "releases/1"), { recursive: true });
  await Deno.writeTextFile(join(broken, "releases/1/.deploy"), "{ not json");
  await Deno.symlink("releases/1", join(broken, "current"));
  const dangling = join(fx.target, "dangling");
  await Deno.mkdir(dangling);
  await Deno.symlink("releases/gone", join(dangling, "current"));
  const escaping = join(fx.target, "escaping");
  await Deno.mkdir(join(escaping, "releases/1"), { recursive: true });
  await Deno.writeTextFile(
    join(escaping, "releases/1/.deploy"),
    JSON.stringify({ name: "../../etc", ref: "main", commit: "0000000" }),
  );
  await Deno.symlink("releases/1", join(escaping, "current"));
  await fx.publish("acme/radio", "main", "aaaaaaa1", { VERSION: "1\n" });

  const r = await drover(["update", ...fx.args(), "--api", fx.fileApi(), "--json"]);
  assert.equal(r.code, 1, r.stderr);
  const doc = jsonOf(r);
  assert.deepEqual(doc.errors.map((e: { app: string; code: string }) => [e.app, e.code]), [
    ["broken", "E_APP"],
    ["dangling", "E_APP"],
    ["escaping", "E_APP"],
  ]);
  assert.match(doc.errors[0].message, /broken \.deploy/);
  assert.match(doc.errors[2].message, /invalid name/);
  assert.equal(doc.install.apps[0].action, "installed");
  assert.equal(await fx.currentCommit("radio"), "aaaaaaa1");

  const text = await drover(["status", ...fx.args()]);
  assert.equal(text.code, 1);
  assert.match(text.stdout, /acme\/radio \(main\) in radio\n {2}current: {2}1-aaaaaaa1 aaaaaaa1\n/);
  assert.match(text.stderr, /broken: .*broken \.deploy/);
});
