import assert from "node:assert/strict";
import { join } from "node:path";
import { serveStatic } from "./static_server.ts";
import { DeviceFixture, drover, jsonOf } from "./device_fixture.ts";

const V1 = { "VERSION": "1\n", "bin/run": "#!/bin/sh\necho v1\n" };
const V2 = { "VERSION": "2\n", "bin/run": "#!/bin/sh\necho v2\n" };

const exists = (path: string) => Deno.lstat(path).then(() => true, () => false);
const list = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

Deno.test("drover add on a fresh target, then update installs the first release, updates and rolls back", async () => {
  await using fx = await DeviceFixture.create();
  await using server = serveStatic(fx.repo);
  const api = ["--api", server.url.href];

  const add = await drover(["add", "--target", fx.target, "--app", "acme/radio"]);
  assert.equal(add.code, 0, add.stderr);
  assert.equal(add.stdout, "acme/radio\tmain\tradio\tregistered\n");
  assert.deepEqual(list(join(fx.target, "radio")), [".drover-app.json", "releases"]);
  assert.deepEqual(
    JSON.parse(await Deno.readTextFile(join(fx.target, "radio/.drover-app.json"))),
    { name: "acme/radio", ref: "main" },
  );

  // registered, nothing installed
  const before = await drover(["status", ...fx.args(), "--json"]);
  assert.equal(before.code, 0, before.stderr);
  const b = jsonOf(before).apps;
  assert.equal(b.length, 1);
  assert.deepEqual(
    [b[0].name, b[0].ref, b[0].dir, b[0].state, b[0].current, b[0].previous],
    ["acme/radio", "main", "radio", "registered", null, null],
  );
  const text = await drover(["status", ...fx.args()]);
  assert.match(
    text.stdout,
    /acme\/radio \(main\) in radio\n {2}current: {2}- \(registered, nothing installed\)/,
  );
  const noRelease = await drover(["rollback", ...fx.args(), "--app", "acme/radio"]);
  assert.equal(noRelease.code, 1);
  assert.match(noRelease.stderr, /Cannot roll back acme\/radio: nothing installed yet/);

  // nothing published yet: nothing to do
  const empty = await drover(["update", ...fx.args(), ...api, "--json"]);
  assert.equal(empty.code, 0, empty.stderr);
  assert.deepEqual(
    jsonOf(empty).check.apps.map((a: { current: string | null; action: string }) => [a.current, a.action]),
    [[null, "not-offered"]],
  );

  // first install: current, no previous
  await fx.publish("acme/radio", "main", "aaaaaaa1", V1);
  const first = await drover(["update", ...fx.args(), ...api, "--json"]);
  assert.equal(first.code, 0, first.stderr);
  const doc = jsonOf(first);
  assert.deepEqual(
    [doc.check.apps[0].current, doc.check.apps[0].available, doc.check.apps[0].action],
    [null, "aaaaaaa1", "deferred"],
  );
  assert.deepEqual(
    [
      doc.install.apps[0].from,
      doc.install.apps[0].to,
      doc.install.apps[0].action,
      doc.install.apps[0].release,
    ],
    [null, "aaaaaaa1", "installed", "1-aaaaaaa1"],
  );
  assert.equal(await fx.link("radio", "current"), "releases/1-aaaaaaa1");
  assert.equal(await exists(join(fx.target, "radio/previous")), false);
  assert.equal(await Deno.readTextFile(join(fx.target, "radio/current/VERSION")), "1\n");
  assert.equal(await fx.currentCommit("radio"), "aaaaaaa1");

  const after = jsonOf(await drover(["status", ...fx.args(), "--json"])).apps[0];
  assert.equal(after.state, "installed");
  assert.deepEqual(after.current, { release: "1-aaaaaaa1", commit: "aaaaaaa1", serial: 1 });
  assert.equal(after.previous, null);
  assert.equal(after.installedRef, null);
  const status = JSON.parse(await Deno.readTextFile(join(fx.ws, "status.json")));
  assert.deepEqual([status.apps["acme/radio"].current, status.apps["acme/radio"].previous], [
    "aaaaaaa1",
    null,
  ]);

  // one release, nothing to roll back to
  const noPrevious = await drover(["rollback", ...fx.args(), "--app", "acme/radio", "--json"]);
  assert.equal(noPrevious.code, 1);
  assert.match(jsonOf(noPrevious).errors[0].message, /no previous release/);

  // update, then roll back
  await fx.publish("acme/radio", "main", "bbbbbbb2", V2);
  const second = await drover(["update", ...fx.args(), ...api]);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /acme\/radio\tmain\taaaaaaa1 -> bbbbbbb2\tinstalled/);
  assert.equal(await fx.link("radio", "previous"), "releases/1-aaaaaaa1");
  const rb = await drover(["rollback", ...fx.args(), "--app", "radio", "--json"]);
  assert.equal(rb.code, 0, rb.stderr);
  assert.deepEqual(jsonOf(rb).to, { release: "1-aaaaaaa1", commit: "aaaaaaa1" });
  assert.equal(await fx.currentCommit("radio"), "aaaaaaa1");
});

Deno.test("drover add is idempotent, refuses another app in the same directory, and can switch the ref", async () => {
  await using fx = await DeviceFixture.create();
  const add = (...args: string[]) => drover(["add", "--target", fx.target, ...args]);
  const file = join(fx.target, "radio/.drover-app.json");
  assert.equal((await add("--app", "acme/radio", "--ref", "main")).code, 0);
  const content = await Deno.readTextFile(file);
  const again = await add("--app", "acme/radio", "--json");
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(
    [jsonOf(again).command, jsonOf(again).action, jsonOf(again).dirName],
    ["add", "unchanged", "radio"],
  );
  assert.equal(await Deno.readTextFile(file), content);

  // another app into the same directory: refused, nothing changed
  const other = await add("--app", "other/radio");
  assert.equal(other.code, 1);
  assert.match(other.stderr, /Cannot add other\/radio: .*radio already holds app acme\/radio/);
  const otherDir = await add("--app", "acme/tv", "--dir", "radio", "--json");
  assert.equal(otherDir.code, 1);
  assert.equal(jsonOf(otherDir).ok, false);
  assert.equal(await Deno.readTextFile(file), content);
  // nor into an installed app's directory, nor over unrelated files
  await fx.installApp("legacy", { name: "radiodan/legacy", ref: "master", commit: "1234567" });
  assert.equal((await add("--app", "acme/legacy")).code, 1);
  assert.equal(await exists(join(fx.target, "legacy/.drover-app.json")), false);
  await Deno.mkdir(join(fx.target, "misc"));
  await Deno.writeTextFile(join(fx.target, "misc/notes.txt"), "");
  const misc = await add("--app", "acme/misc");
  assert.equal(misc.code, 1);
  assert.match(misc.stderr, /not empty and holds no app/);
  assert.deepEqual(list(join(fx.target, "misc")), ["notes.txt"]);

  // an installed app switches ref: the registration wins, status says so, no downgrade check on the switch
  await fx.publish("acme/beta-app", "beta", "bbbbbbb1", V1); // serial 1 of beta
  await fx.publish("acme/beta-app", "main", "aaaaaaa1", V1);
  await fx.publish("acme/beta-app", "main", "aaaaaaa2", V2); // serial 2 of main
  assert.equal((await add("--app", "acme/beta-app")).code, 0);
  assert.equal((await drover(["update", ...fx.args(), "--api", fx.fileApi()])).code, 0);
  assert.equal(await fx.currentCommit("beta-app"), "aaaaaaa2");
  const sw = await add("--app", "acme/beta-app", "--ref", "beta");
  assert.equal(sw.code, 0, sw.stderr);
  assert.equal(sw.stdout, "acme/beta-app\tbeta\tbeta-app\tref-changed\n");
  assert.match(sw.stderr, /now tracks beta \(was main\)/);
  const st = jsonOf(await drover(["status", ...fx.args(), "--json"]));
  const app = st.apps.find((a: { name: string }) => a.name === "acme/beta-app");
  assert.deepEqual([app.ref, app.installedRef, app.current.commit], ["beta", "main", "aaaaaaa2"]);
  const up = await drover(["update", ...fx.args(), "--api", fx.fileApi(), "--json"]);
  assert.equal(up.code, 0, up.stderr);
  assert.equal(await fx.currentCommit("beta-app"), "bbbbbbb1");
  assert.equal(await fx.link("beta-app", "previous"), "releases/2-aaaaaaa2");
  const st2 = jsonOf(await drover(["status", ...fx.args(), "--json"]));
  assert.equal(st2.apps.find((a: { name: string }) => a.name === "acme/beta-app").installedRef, null);
});

Deno.test("drover add refuses bad names, refs and directories with exit 2 and writes nothing", async () => {
  await using fx = await DeviceFixture.create();
  const cases = [
    ["--app", "../x"],
    ["--app", "a/b/c"],
    ["--app", "radio"],
    ["--app", "/etc"],
    ["--app", "acme/radio", "--ref", "../main"],
    ["--app", "acme/radio", "--ref", "a/b"],
    ["--app", "acme/radio", "--dir", ".."],
    ["--app", "acme/radio", "--dir", "."],
    ["--app", "acme/radio", "--dir", "x/../../y"],
    ["--app", "acme/radio", "--dir", "/tmp/x"],
    ["--app", "acme/radio", "--dir", ""],
    ["--app", "acme/radio", "--ref", ""],
    ["--ref", "main"],
    ["--app", "acme/radio", "--bogus"],
  ];
  for (const args of cases) {
    const r = await drover(["add", "--target", fx.target, ...args]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /Try 'drover add --help'/);
  }
  // an app name over 96 characters: no file name on the device could hold its pending install
  const long = await drover(["add", "--target", fx.target, "--app", `${"o".repeat(48)}/${"a".repeat(48)}`]);
  assert.equal(long.code, 2, long.stderr);
  assert.match(long.stderr, /^drover add: Cannot use app name 'o+\/a+…': longer than 96 characters\n/);
  const json = await drover(["add", "--target", fx.target, "--app", "..", "--json"]);
  assert.equal(json.code, 2);
  assert.equal(jsonOf(json).errors[0].code, "E_USAGE");
  assert.deepEqual(list(fx.target), []);
  const missing = await drover(["add", "--target", join(fx.dir, "nope"), "--app", "acme/radio"]);
  assert.equal(missing.code, 1);
  assert.equal(await exists(join(fx.dir, "nope")), false);

  const help = await drover(["add", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: drover add --target DIR --app OWNER\/APP \[--ref REF\] \[--dir NAME\]/);
  const top = await drover(["--help"]);
  assert.match(top.stdout, /\n {2}add +register a new app on this device/);
});

Deno.test("drover add takes a --target that is a symlink to a directory, as update and status do", async () => {
  await using fx = await DeviceFixture.create();
  const link = join(fx.dir, "apps"); // as /opt/apps -> /data/apps
  await Deno.symlink(fx.target, link);
  const add = await drover(["add", "--target", link, "--app", "acme/radio", "--json"]);
  assert.equal(add.code, 0, add.stderr);
  assert.equal(jsonOf(add).dir, join(await Deno.realPath(fx.target), "radio"));
  await fx.publish("acme/radio", "main", "aaaaaaa1", V1);
  const args = ["--target", link, "--workspace", fx.ws];
  const up = await drover(["update", ...args, "--api", fx.fileApi()]);
  assert.equal(up.code, 0, up.stderr);
  const st = await drover(["status", ...args, "--json"]);
  assert.equal(jsonOf(st).apps[0].current.commit, "aaaaaaa1");
  // a symlink inside the target is still refused, nothing written where it points
  await Deno.mkdir(join(fx.dir, "outside"));
  await Deno.symlink(join(fx.dir, "outside"), join(fx.target, "escape"));
  const escape = await drover(["add", "--target", link, "--app", "acme/escape"]);
  assert.equal(escape.code, 1);
  assert.match(escape.stderr, /exists and is not a directory/);
  assert.deepEqual(list(join(fx.dir, "outside")), []);
});

Deno.test("a failing health check on the first install leaves the app registered with nothing installed", async () => {
  await using fx = await DeviceFixture.create();
  assert.equal((await drover(["add", "--target", fx.target, "--app", "acme/radio"])).code, 0);
  await fx.publish("acme/radio", "main", "aaaaaaa1", { "bin/check": "#!/bin/sh\nexit 7\n" });
  const r = await drover([
    "update",
    ...fx.args(),
    "--api",
    fx.fileApi(),
    "--health-cmd",
    "./bin/check",
    "--json",
  ]);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(jsonOf(r).install.apps[0].action, "health-failed");
  assert.equal(await exists(join(fx.target, "radio/current")), false);
  assert.deepEqual(list(join(fx.target, "radio/releases")), []);
  const st = jsonOf(await drover(["status", ...fx.args(), "--json"])).apps[0];
  assert.deepEqual([st.state, st.current, st.bad], ["registered", null, ["aaaaaaa1"]]);
  // not retried
  const again = await drover(["update", ...fx.args(), "--api", fx.fileApi(), "--json"]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(jsonOf(again).check.apps[0].action, "skipped-bad");
});
