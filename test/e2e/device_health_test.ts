import assert from "node:assert/strict";
import { join } from "node:path";
import { DeviceFixture, drover, jsonOf } from "./device_fixture.ts";
import { DROVER_MJS } from "../harness.ts";

const BASE = { name: "acme/radio", ref: "main", commit: "0000000" };

Deno.test("a failing health check switches back, marks the commit bad, and it is not retried", async () => {
  await using fx = await DeviceFixture.create();
  await fx.installApp("radio", BASE);
  const api = ["--api", fx.fileApi()];
  // the check sees the new release as its cwd and gets DROVER_APP / DROVER_RELEASE
  const health = [
    "--health-cmd",
    'test "$DROVER_APP" = acme/radio && test "$PWD" = "$DROVER_RELEASE" && test -f .deploy && ./bin/check',
  ];
  await fx.publish("acme/radio", "main", "aaaaaaa1", { "bin/check": "#!/bin/sh\nexit 0\n" });
  const ok = await drover(["update", ...fx.args(), ...api, ...health]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(await fx.currentCommit("radio"), "aaaaaaa1");

  await fx.publish("acme/radio", "main", "bbbbbbb2", {
    "bin/check": "#!/bin/sh\necho unhealthy >&2\nexit 7\n",
  });
  const bad = await drover(["update", ...fx.args(), ...api, ...health, "--json"]);
  assert.equal(bad.code, 1, bad.stderr);
  const doc = jsonOf(bad);
  assert.equal(doc.install.apps[0].action, "health-failed");
  assert.equal(doc.install.apps[0].error.code, "E_HEALTH");
  assert.match(doc.install.apps[0].error.message, /exit 7/);
  assert.match(bad.stderr, /unhealthy/, "health-check output goes to stderr");
  // switched back: current and previous as before, the bad release removed
  assert.equal(await fx.link("radio", "current"), "releases/1-aaaaaaa1");
  assert.equal(await fx.link("radio", "previous"), "releases/0");
  const releases = [...Deno.readDirSync(join(fx.target, "radio/releases"))].map((e) => e.name).sort();
  assert.deepEqual(releases, ["0", "1-aaaaaaa1"]);
  const status = JSON.parse(await Deno.readTextFile(join(fx.ws, "status.json")));
  assert.deepEqual(status.apps["acme/radio"].bad, ["bbbbbbb2"]);
  assert.equal(status.apps["acme/radio"].lastError.code, "E_HEALTH");
  assert.equal(status.lastInstall.ok, false);

  // not retried: no download, nothing installed, exit 0
  const again = await drover(["update", ...fx.args(), ...api, ...health, "--json"]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(jsonOf(again).check.apps[0].action, "skipped-bad");
  assert.deepEqual([...Deno.readDirSync(join(fx.ws, "downloads"))], []);

  // a newer commit is tried
  await fx.publish("acme/radio", "main", "ccccccc3", { "bin/check": "#!/bin/sh\nexit 0\n" });
  const newer = await drover(["update", ...fx.args(), ...api, ...health]);
  assert.equal(newer.code, 0, newer.stderr);
  assert.equal(await fx.currentCommit("radio"), "ccccccc3");
  assert.equal(await fx.link("radio", "previous"), "releases/1-aaaaaaa1");
});

Deno.test("a health check that hangs is killed at --health-timeout and counts as failed", async () => {
  await using fx = await DeviceFixture.create();
  await fx.installApp("radio", BASE);
  await fx.publish("acme/radio", "main", "aaaaaaa1", { "VERSION": "1\n" });
  const r = await drover([
    "update",
    ...fx.args(),
    "--api",
    fx.fileApi(),
    "--health-cmd",
    "sleep 30",
    "--health-timeout",
    "0.5",
    "--json",
  ]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(jsonOf(r).install.apps[0].error.message, /timed out/);
  assert.equal(await fx.currentCommit("radio"), "0000000");
});

Deno.test("an install killed during its health check is finished by the next run (check again, switch back)", async () => {
  await using fx = await DeviceFixture.create();
  await fx.installApp("radio", BASE);
  await fx.publish("acme/radio", "main", "aaaaaaa1", { "VERSION": "1\n" });
  assert.equal((await drover(["check", ...fx.args(), "--api", fx.fileApi()])).code, 0);
  const marker = join(fx.dir, "health.pid");
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      DROVER_MJS,
      "install",
      ...fx.args(),
      "--health-cmd",
      `echo $$ > ${marker}; exec sleep 60`,
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  let pid: number | undefined;
  while (pid === undefined) {
    pid = await Deno.readTextFile(marker).then((t) => Number(t.trim()) || undefined, () => undefined);
    if (pid === undefined) await new Promise((r) => setTimeout(r, 50));
  }
  child.kill("SIGKILL");
  await child.status;
  Deno.kill(pid, "SIGKILL"); // the health check runs in its own process group
  assert.equal(await fx.link("radio", "current"), "releases/1-aaaaaaa1", "killed after the switch");

  const r = await drover(["install", ...fx.args(), "--health-cmd", "test -f VERSION && exit 1", "--json"]);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(jsonOf(r).apps[0].action, "health-failed");
  assert.equal(await fx.link("radio", "current"), "releases/0");
  const status = JSON.parse(await Deno.readTextFile(join(fx.ws, "status.json")));
  assert.deepEqual(status.apps["acme/radio"].bad, ["aaaaaaa1"]);
  assert.deepEqual([...Deno.readDirSync(join(fx.ws, "manifests"))], []);
});
