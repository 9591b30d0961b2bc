/**
 * `update` decides each app's action once (check) and its install carries that plan out; the
 * pending record is only read back to resume an interrupted run.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { serveStatic } from "./static_server.ts";
import { DeviceFixture, drover, jsonOf } from "./device_fixture.ts";

const BASE = { name: "acme/radio", ref: "main", commit: "0000000" };
const list = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

/**
 * Release aaaaaaa1 installed by check + install, its pending record put back: what a crash between
 * the switch and the record's removal leaves.
 */
async function switchedButUnfinished(): Promise<DeviceFixture> {
  const fx = await DeviceFixture.create();
  await fx.installApp("radio", BASE);
  await fx.publish("acme/radio", "main", "aaaaaaa1", { "VERSION": "1\n" });
  const check = await drover(["check", ...fx.args(), "--api", fx.fileApi()]);
  assert.equal(check.code, 0, check.stderr);
  const record = join(fx.ws, "manifests/acme~radio.json");
  const text = await Deno.readTextFile(record);
  const install = await drover(["install", ...fx.args()]);
  assert.equal(install.code, 0, install.stderr);
  assert.equal(await fx.currentCommit("radio"), "aaaaaaa1");
  await Deno.writeTextFile(record, text);
  return fx;
}

Deno.test("update finishes an install interrupted after its switch: the health check runs and switches back", async () => {
  await using fx = await switchedButUnfinished();
  const r = await drover([
    "update",
    ...fx.args(),
    "--api",
    fx.fileApi(),
    "--health-cmd",
    "test ! -f VERSION",
    "--json",
  ]);
  assert.equal(r.code, 1, r.stderr);
  const doc = jsonOf(r);
  assert.equal(doc.check.apps[0].action, "up-to-date");
  assert.deepEqual(
    [doc.install.apps[0].from, doc.install.apps[0].to, doc.install.apps[0].action],
    ["aaaaaaa1", "aaaaaaa1", "health-failed"],
  );
  assert.equal(await fx.link("radio", "current"), "releases/0");
  assert.deepEqual(list(join(fx.ws, "manifests")), []);
  const status = JSON.parse(await Deno.readTextFile(join(fx.ws, "status.json")));
  assert.deepEqual(status.apps["acme/radio"].bad, ["aaaaaaa1"]);
  assert.equal(status.apps["acme/radio"].current, "0000000");

  const again = await drover(["update", ...fx.args(), "--api", fx.fileApi(), "--json"]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(jsonOf(again).check.apps[0].action, "skipped-bad");
});

Deno.test("update refuses a known-bad commit once: check holds it, install does not decide again", async () => {
  await using fx = await switchedButUnfinished();
  const rb = await drover(["rollback", ...fx.args(), "--app", "acme/radio"]);
  assert.equal(rb.code, 0, rb.stderr);
  const r = await drover(["update", ...fx.args(), "--api", fx.fileApi(), "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const doc = jsonOf(r);
  assert.deepEqual(
    doc.check.apps.map((a: { action: string; available: string }) => [a.available, a.action]),
    [["aaaaaaa1", "skipped-bad"]],
  );
  assert.deepEqual(
    doc.install.apps,
    [],
    "held once, by the plan; the stale record is not a second candidate",
  );
  assert.deepEqual(doc.errors, []);
  assert.deepEqual(list(join(fx.ws, "manifests")), []);
  assert.equal(await fx.currentCommit("radio"), "0000000");
});

Deno.test("update refuses a downgrade once, and a superseded record is dropped rather than installed", async () => {
  await using fx = await DeviceFixture.create();
  await fx.installApp("radio", { ...BASE, serial: 0 });
  await fx.publish("acme/radio", "main", "aaaaaaa1", { "VERSION": "1\n" });
  assert.equal((await drover(["check", ...fx.args(), "--api", fx.fileApi()])).code, 0);
  await fx.publish("acme/radio", "main", "bbbbbbb2", { "VERSION": "2\n" });
  // the installed release now claims a newer serial than anything offered
  await Deno.writeTextFile(
    join(fx.target, "radio/releases/0/.deploy"),
    JSON.stringify({ ...BASE, serial: 5 }),
  );
  const r = await drover(["update", ...fx.args(), "--api", fx.fileApi(), "--json"]);
  assert.equal(r.code, 3, r.stderr);
  const doc = jsonOf(r);
  assert.equal(doc.check.apps[0].action, "refused");
  assert.match(doc.check.apps[0].error.message, /serial 2 is older than the installed 5/);
  assert.deepEqual(doc.install.apps, []);
  assert.equal(doc.errors.length, 1, "one refusal, one reason");
  assert.deepEqual(list(join(fx.ws, "manifests")), []);
  assert.deepEqual(list(join(fx.ws, "downloads")), [], "the superseded download is not kept");
  assert.equal(await fx.currentCommit("radio"), "0000000");
});

Deno.test("an interrupted update is resumed by the next update from its record and its .part", async () => {
  await using fx = await DeviceFixture.create();
  await fx.installApp("radio", BASE);
  await fx.publish("acme/radio", "main", "aaaaaaa1", { "blob.txt": randomBytes(300_000).toString("base64") });
  await using server = serveStatic(fx.repo, { cutAfter: 128 * 1024, cutPattern: /^\/targets\// });
  const api = ["--api", server.url.href];
  const cut = await drover(["update", ...fx.args(), ...api, "--retries", "0", "--json"]);
  assert.equal(cut.code, 75, cut.stderr);
  assert.equal(jsonOf(cut).check.apps[0].action, "deferred");
  assert.deepEqual(list(join(fx.ws, "manifests")), ["acme~radio.json"], "the crash-resume record");
  assert.equal(list(join(fx.ws, "downloads")).filter((f) => f.endsWith(".part")).length, 1);

  const resumed = await drover(["update", ...fx.args(), ...api, "--retries", "8", "--json"]);
  assert.equal(resumed.code, 0, resumed.stderr);
  const doc = jsonOf(resumed);
  assert.equal(doc.check.apps[0].action, "pending", "the record is read back to resume");
  assert.equal(doc.install.apps[0].action, "installed");
  const ranges = server.requests.filter((q) => q.path.startsWith("/targets/")).map((q) => q.range);
  assert.equal(ranges[0], null);
  assert.match(String(ranges[1]), /^bytes=[1-9]\d*-$/, "resumed where the first run stopped");
  assert.equal(await fx.currentCommit("radio"), "aaaaaaa1");
  assert.deepEqual(list(join(fx.ws, "manifests")), []);
  assert.deepEqual(list(join(fx.ws, "downloads")), []);
});
