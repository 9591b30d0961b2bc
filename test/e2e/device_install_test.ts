import assert from "node:assert/strict";
import { join } from "node:path";
import { serveStatic } from "./static_server.ts";
import { DeviceFixture, drover, jsonOf } from "./device_fixture.ts";

const V1 = { "VERSION": "1\n", "bin/run": "#!/bin/sh\necho v1\n" };
const V2 = { "VERSION": "2\n", "bin/run": "#!/bin/sh\necho v2\n" };
const BASE = { name: "acme/radio", ref: "main", commit: "0000000" };

Deno.test("drover update installs the first release over HTTP, then updates, then has nothing to do", async () => {
  await using fx = await DeviceFixture.create();
  await using server = serveStatic(fx.repo);
  const api = ["--api", server.url.href];
  await fx.installApp("radio", BASE);
  await fx.installApp("other", { name: "acme/other", ref: "main", commit: "1111111" });
  await Deno.mkdir(join(fx.target, "not-an-app/src"), { recursive: true });
  await fx.publish("acme/radio", "main", "aaaaaaa1", V1);

  // first install
  const first = await drover(["update", ...fx.args(), ...api, "--json"]);
  assert.equal(first.code, 0, first.stderr);
  const doc = jsonOf(first);
  assert.equal(doc.command, "update");
  assert.equal(doc.ok, true);
  assert.deepEqual(
    doc.check.apps.map((a: { name: string; action: string }) => [a.name, a.action]),
    [["acme/other", "not-offered"], ["acme/radio", "deferred"]],
  );
  assert.equal(doc.install.apps[0].action, "installed");
  assert.equal(doc.install.apps[0].release, "1-aaaaaaa1");
  assert.equal(await fx.link("radio", "current"), "releases/1-aaaaaaa1");
  assert.equal(await fx.link("radio", "previous"), "releases/0");
  assert.equal(await Deno.readTextFile(join(fx.target, "radio/current/VERSION")), "1\n");
  const deploy = JSON.parse(await Deno.readTextFile(join(fx.target, "radio/current/.deploy")));
  assert.equal(deploy.commit, "aaaaaaa1");
  assert.equal(deploy.serial, 1);
  assert.match(deploy.sha256, /^[0-9a-f]{64}$/);
  assert.equal((await Deno.stat(join(fx.target, "radio/current/bin/run"))).mode! & 0o111, 0o111);
  // the download is gone once installed, nothing is pending
  assert.deepEqual([...Deno.readDirSync(join(fx.ws, "downloads"))], []);
  assert.deepEqual([...Deno.readDirSync(join(fx.ws, "manifests"))], []);

  // update to a new commit
  await fx.publish("acme/radio", "main", "bbbbbbb2", V2);
  const second = await drover(["update", ...fx.args(), ...api]);
  assert.equal(second.code, 0, second.stderr);
  // one line per app, its final outcome (not the check's `deferred`, then the install's line)
  assert.equal(
    second.stdout,
    "acme/other\tmain\t1111111\tnot-offered\nacme/radio\tmain\taaaaaaa1 -> bbbbbbb2\tinstalled\n",
  );
  assert.equal(await fx.currentCommit("radio"), "bbbbbbb2");
  assert.equal(await fx.link("radio", "previous"), "releases/1-aaaaaaa1");

  // nothing to do: exit 0, no download
  const before = server.requests.filter((r) => r.path.startsWith("/targets/")).length;
  const third = await drover(["update", ...fx.args(), ...api, "--json"]);
  assert.equal(third.code, 0, third.stderr);
  const t = jsonOf(third);
  assert.equal(t.check.apps.find((a: { name: string }) => a.name === "acme/radio").action, "up-to-date");
  assert.deepEqual(t.install.apps, []);
  assert.equal(server.requests.filter((r) => r.path.startsWith("/targets/")).length, before);

  // status.json records the runs
  const status = JSON.parse(await Deno.readTextFile(join(fx.ws, "status.json")));
  assert.equal(status.version, 1);
  assert.equal(status.lastCheck.ok, true);
  assert.equal(status.lastInstall.ok, true);
  assert.equal(status.apps["acme/radio"].current, "bbbbbbb2");
  assert.equal(status.apps["acme/radio"].previous, "aaaaaaa1");
});

Deno.test("drover check then install under Node, file:// repository, text output and status --json", async () => {
  await using fx = await DeviceFixture.create();
  await fx.installApp("radio", BASE);
  await fx.publish("acme/radio", "main", "aaaaaaa1", V1);
  const check = await drover(["check", ...fx.args(), "--api", fx.fileApi()], { runtime: "node" });
  assert.equal(check.code, 0, check.stderr);
  assert.match(check.stdout, /^acme\/radio\tmain\t0000000 -> aaaaaaa1\tdownloaded\n$/);
  assert.equal(await fx.currentCommit("radio"), "0000000", "check alone installs nothing");
  const again1 = await drover(["check", ...fx.args(), "--api", fx.fileApi(), "--json"], { runtime: "node" });
  assert.equal(jsonOf(again1).apps[0].action, "pending", "downloaded once, not again");

  const status = await drover(["status", ...fx.args(), "--json"], { runtime: "node" });
  assert.equal(status.code, 0, status.stderr);
  const s = jsonOf(status);
  assert.equal(s.command, "status");
  assert.equal(s.apps[0].pending.commit, "aaaaaaa1");
  assert.equal(s.apps[0].pending.downloaded, true);
  assert.equal(s.apps[0].current.commit, "0000000");
  assert.equal(s.lastCheck.ok, true);

  const install = await drover(["install", ...fx.args()], { runtime: "node" });
  assert.equal(install.code, 0, install.stderr);
  assert.match(install.stdout, /acme\/radio\tmain\t0000000 -> aaaaaaa1\tinstalled/);
  assert.equal(await fx.currentCommit("radio"), "aaaaaaa1");
  // install again: nothing pending, nothing to do
  const again = await drover(["install", ...fx.args(), "--json"], { runtime: "node" });
  assert.equal(again.code, 0);
  assert.deepEqual(jsonOf(again).apps, []);
});

Deno.test("drover rollback swaps current and previous and the next update skips the rolled-back commit", async () => {
  await using fx = await DeviceFixture.create();
  await fx.installApp("radio", BASE);
  await fx.publish("acme/radio", "main", "aaaaaaa1", V1);
  assert.equal((await drover(["update", ...fx.args(), "--api", fx.fileApi()])).code, 0);

  const rb = await drover(["rollback", ...fx.args(), "--app", "acme/radio", "--json"]);
  assert.equal(rb.code, 0, rb.stderr);
  const doc = jsonOf(rb);
  assert.deepEqual(doc.from, { release: "1-aaaaaaa1", commit: "aaaaaaa1" });
  assert.deepEqual(doc.to, { release: "0", commit: "0000000" });
  assert.equal(doc.markedBad, "aaaaaaa1");
  assert.equal(await fx.link("radio", "current"), "releases/0");
  assert.equal(await fx.link("radio", "previous"), "releases/1-aaaaaaa1");

  const up = await drover(["update", ...fx.args(), "--api", fx.fileApi(), "--json"]);
  assert.equal(up.code, 0, up.stderr);
  assert.equal(jsonOf(up).check.apps[0].action, "skipped-bad");
  assert.equal(await fx.currentCommit("radio"), "0000000");

  // a newer commit is installed as usual
  await fx.publish("acme/radio", "main", "ccccccc3", V2);
  assert.equal((await drover(["update", ...fx.args(), "--api", fx.fileApi()])).code, 0);
  assert.equal(await fx.currentCommit("radio"), "ccccccc3");

  // nothing to roll back to in an app without previous
  await fx.installApp("solo", { name: "acme/solo", ref: "main", commit: "5555555" });
  const none = await drover(["rollback", "--target", fx.target, "--app", "acme/solo"]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no previous release/);
});

Deno.test("a relative or symlinked --target: health sees an absolute release, gc keeps current and previous", async () => {
  await using fx = await DeviceFixture.create();
  await fx.installApp("radio", BASE);
  await Deno.symlink(fx.dir, join(fx.dir, "via")); // a symlinked parent, as /opt -> /data/opt
  const rel = ["--target", "./target", "--workspace", "./ws"];
  // the health check runs in the release: DROVER_RELEASE must not be relative to the caller's cwd
  const health = [
    "--health-cmd",
    'test -f "$DROVER_RELEASE/VERSION" && test "$DROVER_RELEASE" = "$(pwd -P)"',
  ];
  for (const [i, commit] of ["aaaaaaa1", "bbbbbbb2", "ccccccc3"].entries()) {
    await fx.publish("acme/radio", "main", commit, { VERSION: `${i}\n` });
    const r = await drover(["update", ...rel, "--api", fx.fileApi(), ...health], { cwd: fx.dir });
    assert.equal(r.code, 0, r.stderr);
  }
  const rb = await drover(["rollback", ...rel, "--app", "acme/radio"], { cwd: fx.dir });
  assert.equal(rb.code, 0, rb.stderr);
  for (const target of ["./target", "via/target"]) {
    const gc = await drover(["gc", "--target", target, "--workspace", "./ws", "--keep", "0", "--json"], {
      cwd: fx.dir,
    });
    assert.equal(gc.code, 0, gc.stderr);
    assert.deepEqual(jsonOf(gc).apps[0].kept.sort(), ["2-bbbbbbb2", "3-ccccccc3"], target);
  }
  const left = [...Deno.readDirSync(join(fx.target, "radio/releases"))].map((e) => e.name).sort();
  assert.deepEqual(left, ["2-bbbbbbb2", "3-ccccccc3"]);
  const status = await drover(["status", "--target", "via/target", "--json"], { cwd: fx.dir });
  assert.equal(status.code, 0, status.stderr);
  assert.equal(jsonOf(status).apps[0].current.commit, "bbbbbbb2");
});

Deno.test("drover gc keeps the newest N releases and never current or previous", async () => {
  await using fx = await DeviceFixture.create();
  await fx.installApp("radio", BASE);
  for (const [i, commit] of ["aaaaaaa1", "bbbbbbb2", "ccccccc3", "ddddddd4"].entries()) {
    await fx.publish("acme/radio", "main", commit, { VERSION: `${i}\n` });
    const r = await drover(["update", ...fx.args(), "--api", fx.fileApi()]);
    assert.equal(r.code, 0, r.stderr);
  }
  // roll back so that previous is the newest and current the second newest
  assert.equal((await drover(["rollback", "--target", fx.target, "--app", "acme/radio"])).code, 0);
  const gc = await drover(["gc", "--target", fx.target, "--keep", "1", "--json"]);
  assert.equal(gc.code, 0, gc.stderr);
  const doc = jsonOf(gc);
  assert.deepEqual(doc.apps[0].kept.sort(), ["3-ccccccc3", "4-ddddddd4"]);
  assert.deepEqual(doc.apps[0].removed.sort(), ["0", "1-aaaaaaa1", "2-bbbbbbb2"]);
  const left = [...Deno.readDirSync(join(fx.target, "radio/releases"))].map((e) => e.name).sort();
  assert.deepEqual(left, ["3-ccccccc3", "4-ddddddd4"]);
  assert.equal(await fx.currentCommit("radio"), "ccccccc3");
  // with a workspace, the run is recorded in status.json
  const withWs = await drover(["gc", "--target", fx.target, "--workspace", fx.ws, "--keep", "1"]);
  assert.equal(withWs.code, 0, withWs.stderr);
  const status = JSON.parse(await Deno.readTextFile(join(fx.ws, "status.json")));
  assert.equal(status.lastGc?.ok, true);
  assert.ok(Date.now() - Date.parse(status.lastGc.at) < 600_000);

  const usage = await drover(["gc", "--target", fx.target]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /missing --keep\nTry 'drover gc --help'/);
});
