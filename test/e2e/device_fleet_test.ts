/**
 * The device side of the fleet through the bundled CLI (dist/drover.mjs under Node): `drover
 * enroll`, check-in and install reports of `update`, `drover report`, `drover status`, against a
 * fake fleet API that verifies every signature and counter (test/e2e/fake_fleet.ts) on the same
 * 127.0.0.1 host as the repository. (test/e2e/edge_fleet_test.ts does the same against the edge.)
 */
import assert from "node:assert/strict";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  buildRepo,
  commitId,
  type Device,
  makeDevice,
  type Repo,
  runDrover,
  SCENARIO_APP,
  SEED_COMMIT,
  serveDir,
  tarGz,
  type TempDir,
  tempDir,
  type TestServer,
  writeTree,
} from "../harness.ts";
import { FakeFleet } from "./fake_fleet.ts";
import { jsonOf } from "./device_fixture.ts";

const APP = SCENARIO_APP;
const ONE = commitId("fleet one");
const TWO = commitId("fleet two");

interface Setup extends AsyncDisposable {
  tmp: TempDir;
  repo: Repo;
  fleet: FakeFleet;
  server: TestServer;
  device: Device;
  archives: { one: string; two: string };
}

/** A repository with release one of acme/radio, served with a fake fleet; a device with the seed release. */
async function setup(): Promise<Setup> {
  const tmp = await tempDir("drover-fleet-");
  const archives = { one: tmp.join("one.tar.gz"), two: tmp.join("two.tar.gz") };
  for (const v of ["one", "two"] as const) {
    await writeTree(tmp.join(v), { "bin/start": `#!/bin/sh\necho ${v}\n` });
    await tarGz(tmp.join(v), archives[v]);
  }
  const repo = await buildRepo(tmp.join("repo"), [{ ...APP, commit: ONE, file: archives.one }]);
  const fleet = new FakeFleet();
  const server = serveDir(repo.dir, fleet.intercept);
  const device = await makeDevice(tmp.join("device"), repo, APP);
  return {
    tmp,
    repo,
    fleet,
    server,
    device,
    archives,
    async [Symbol.asyncDispose]() {
      fleet.close();
      await server.close();
      await tmp[Symbol.asyncDispose]();
    },
  };
}

async function enroll(s: Setup, ...extra: string[]): Promise<string> {
  const r = await runDrover([
    "enroll",
    "--api",
    s.server.url,
    "--workspace",
    s.device.workspace,
    "--json",
    ...extra,
  ]);
  assert.equal(r.code, 0, r.stderr);
  return jsonOf(r).deviceId;
}

const stages = (events: Iterable<{ stage: string; result: string; errorCode?: string }>) =>
  [...events].map((e) => [e.stage, e.result, e.errorCode].filter(Boolean).join(" "));

Deno.test("drover enroll creates the identity once (0600) and registers it; a second run registers the same id", async () => {
  await using s = await setup();
  const ws = s.device.workspace;
  const first = await runDrover([
    "enroll",
    "--api",
    s.server.url,
    "--workspace",
    ws,
    "--label",
    "site=north",
    "--json",
  ]);
  assert.equal(first.code, 0, first.stderr);
  const doc = jsonOf(first);
  assert.match(doc.deviceId, /^d_[0-9a-f]{32}$/);
  assert.equal(doc.state, "pending");
  assert.equal(doc.identity, "created");
  assert.deepEqual(doc.labels, { site: "north" });
  assert.equal((await stat(join(ws, "identity/device.json"))).mode & 0o777, 0o600);
  const again = await runDrover(["enroll", "--api", s.server.url, "--workspace", ws]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, `${doc.deviceId}\tpending\n`);
  const device = s.fleet.device(doc.deviceId);
  assert.equal(device.enrollments, 2);
  assert.deepEqual(device.labels, { site: "north" }, "the recorded labels are sent again");
  assert.deepEqual(s.fleet.requests.map((r) => [r.path, r.status, r.counter]), [
    ["/v1/devices", 200, 1],
    ["/v1/devices", 200, 2],
  ]);
  // a token: accepted at once (and never stored)
  const token = await runDrover(["enroll", "--workspace", ws, "--enroll-token", s.fleet.token, "--json"], {
    env: { DROVER_API: s.server.url },
  });
  assert.equal(jsonOf(token).state, "accepted");
  assert.equal(s.fleet.requests.at(-1)!.authorization, `Bearer ${s.fleet.token}`);
  for (const name of await readdir(join(ws, "identity"))) {
    const text = await Deno.readTextFile(join(ws, "identity", name));
    assert.ok(!text.includes(s.fleet.token), `the token is in identity/${name}`);
  }
  const status = jsonOf(
    await runDrover(["status", "--target", s.device.target, "--workspace", ws, "--json"]),
  );
  assert.deepEqual(status.fleet, {
    deviceId: doc.deviceId,
    state: "accepted",
    api: `${s.server.url}/`,
    labels: { site: "north" },
    waiting: 0,
    dropped: 0,
  });
  // --rotate-key: a new key and id, enrolled; the old key kept aside
  const rotated = jsonOf(
    await runDrover(["enroll", "--api", s.server.url, "--workspace", ws, "--rotate-key", "--json"]),
  );
  assert.equal(rotated.identity, "rotated");
  assert.notEqual(rotated.deviceId, doc.deviceId);
  assert.equal(rotated.retiredKey, join(ws, "identity/retired", `${doc.deviceId}.json`));
  assert.equal((await stat(rotated.retiredKey)).mode & 0o777, 0o600);
  assert.equal(s.fleet.requests.at(-1)!.counter, 1, "a new identity's counter starts afresh");
  assert.deepEqual(s.fleet.device(rotated.deviceId).labels, { site: "north" });
  // a bad token: refused (exit 1), the enrollment as it was
  const bad = await runDrover([
    "enroll",
    "--api",
    s.server.url,
    "--workspace",
    ws,
    "--enroll-token",
    "nope-nope-nope",
  ]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /HTTP 403/);
  const after = jsonOf(await runDrover(["status", "--target", s.device.target, "--workspace", ws, "--json"]));
  assert.deepEqual([after.fleet.deviceId, after.fleet.state], [rotated.deviceId, rotated.state]);
});

Deno.test("an enrolled device's update checks in with its inventory and reports download, verify, install ok", async () => {
  await using s = await setup();
  const id = await enroll(s, "--enroll-token", s.fleet.token, "--label", "device-type=rpi4");
  const r = await runDrover(s.device.args("update", s.server.url), {
    env: { DROVER_OS_VERSION: "acme-os 3.1" },
  });
  assert.equal(r.code, 0, r.stderr);
  const device = s.fleet.device(id);
  // before deciding (for the rollout holds), and again after the install changed the inventory
  assert.equal(device.inventories.length, 2);
  assert.deepEqual(device.inventories[0]!.apps.map((a) => a.commit), [SEED_COMMIT]);
  const inventory = device.inventories[1]!;
  assert.equal(inventory.deviceType, "rpi4");
  assert.equal(inventory.osVersion, "acme-os 3.1");
  assert.deepEqual(inventory.apps.map((a) => [a.name, a.ref, a.commit]), [[APP.name, APP.ref, ONE]]);
  assert.match(inventory.apps[0]!.sha256 ?? "", /^[0-9a-f]{64}$/);
  assert.equal(typeof inventory.apps[0]!.serial, "number");
  assert.match(inventory.apps[0]!.releaseId ?? "", /^\d+-[0-9a-f]{12}$/);
  const events = [...device.events.values()];
  assert.deepEqual(stages(events), ["download ok", "verify ok", "install ok"]);
  const size = (await stat(s.archives.one)).size;
  assert.equal(events[0]!.bytes, size);
  assert.ok(events.every((e) => e.app === APP.name && e.commit === ONE));
  assert.deepEqual([device.accepted, device.duplicates], [3, 0]);
  const status = jsonOf(await runDrover(["status", ...s.device.args("status").slice(1), "--json"]));
  assert.equal(status.fleet.waiting, 0, "acknowledged events left the spool");
  // a later run with nothing to install checks in once and reports nothing new
  const again = await runDrover(s.device.args("update", s.server.url));
  assert.equal(again.code, 0, again.stderr);
  assert.equal(device.inventories.length, 3);
  assert.equal(device.events.size, 3);
});

Deno.test("a failed health check is reported as health error E_HEALTH and rollback rolled_back", async () => {
  await using s = await setup();
  const id = await enroll(s);
  const r = await runDrover([...s.device.args("update", s.server.url), "--health-cmd", "exit 1"]);
  assert.equal(r.code, 1, r.stderr);
  const events = [...s.fleet.device(id).events.values()];
  assert.deepEqual(stages(events), [
    "download ok",
    "verify ok",
    "health error E_HEALTH",
    "rollback rolled_back",
  ]);
  assert.match(events[2]!.message ?? "", /health check failed \(exit 1\)/);
  // the next release installs and its success is reported after its health check passed
  await s.repo.addApp({ ...APP, commit: TWO, file: s.archives.two });
  const ok = await runDrover([...s.device.args("update", s.server.url), "--health-cmd", "true"]);
  assert.equal(ok.code, 0, ok.stderr);
  const later = [...s.fleet.device(id).events.values()].slice(4);
  assert.deepEqual(stages(later), ["download ok", "verify ok", "health ok", "install ok"]);
  assert.ok(later.every((e) => e.commit === TWO));
});

Deno.test("a device that is not enrolled updates as before: no fleet request, no identity, no spool", async () => {
  await using s = await setup();
  const r = await runDrover(s.device.args("update", s.server.url));
  assert.equal(r.code, 0, r.stderr);
  const check = await runDrover(s.device.args("check", s.server.url));
  assert.equal(check.code, 0, check.stderr);
  assert.ok(s.server.requests.length > 0);
  assert.deepEqual(s.server.requests.filter((q) => q.path.startsWith("/v1/")), []);
  assert.deepEqual(s.fleet.requests, []);
  assert.deepEqual(
    (await readdir(s.device.workspace)).filter((n) => ["identity", "reports"].includes(n)),
    [],
  );
  const status = jsonOf(await runDrover(["status", ...s.device.args("status").slice(1), "--json"]));
  assert.equal(status.fleet.state, "not-enrolled");
  assert.equal(status.fleet.deviceId, null);
  const report = await runDrover(["report", "--workspace", s.device.workspace]);
  assert.equal(report.code, 1);
  assert.match(report.stderr, /not enrolled/);
});

Deno.test("a fleet API that hangs costs the update one short timeout: exit 0, a warning, the reports kept for later", async () => {
  await using s = await setup();
  const id = await enroll(s);
  s.fleet.mode = "hang";
  const started = performance.now();
  const r = await runDrover(s.device.args("update", s.server.url), { env: { DROVER_FLEET_TIMEOUT: "1" } });
  const seconds = (performance.now() - started) / 1000;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /drover: fleet: Cannot reach .*no answer in 1000 ms/);
  assert.match(
    await Deno.readLink(join(s.device.appDir, "current")),
    new RegExp(ONE.slice(0, 12)),
    "installed",
  );
  assert.ok(seconds < 10, `update took ${seconds.toFixed(1)} s`);
  s.fleet.close();
  const status = jsonOf(await runDrover(["status", ...s.device.args("status").slice(1), "--json"]));
  assert.equal(status.fleet.waiting, 3);
  // down (503): still exit 0
  s.fleet.mode = "down";
  const down = await runDrover(s.device.args("check", s.server.url));
  assert.equal(down.code, 0, down.stderr);
  assert.match(down.stderr, /drover: fleet: .*HTTP 503/);
  // back: drover report sends what waited, once
  s.fleet.mode = "ok";
  const sent = await runDrover(["report", "--workspace", s.device.workspace, "--json"]);
  assert.equal(sent.code, 0, sent.stderr);
  const doc = jsonOf(sent);
  assert.deepEqual([doc.sent, doc.accepted, doc.duplicates, doc.waiting], [3, 3, 0, 0]);
  assert.deepEqual(stages(s.fleet.device(id).events.values()), ["download ok", "verify ok", "install ok"]);
  const nothing = jsonOf(await runDrover(["report", "--workspace", s.device.workspace, "--json"]));
  assert.equal(nothing.sent, 0);
});

Deno.test("drover --help lists enroll and report; their --help tells their flags, status's the fleet", async () => {
  const help = await runDrover(["--help"]);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^ {2}enroll /m);
  assert.match(help.stdout, /^ {2}report /m);
  const cases: [string, RegExp[]][] = [
    ["enroll", [
      /--api URL/,
      /--enroll-token TOKEN/,
      /--label KEY=VALUE/,
      /--device-type/,
      /--rotate-key/,
      /0600/,
    ]],
    ["report", [/--api URL/, /--workspace DIR/, /acknowledged/]],
    ["status", [/fleet enrollment/]],
  ];
  for (const [cmd, patterns] of cases) {
    const r = await runDrover([cmd, "--help"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Usage: drover ${cmd} `));
    for (const p of patterns) assert.match(r.stdout, p, `${cmd} --help: ${p}`);
  }
  const usage = await runDrover(["enroll", "--workspace", "/tmp/x", "--api", "ftp://edge", "--json"]);
  assert.equal(usage.code, 2);
  assert.equal(jsonOf(usage).errors[0].code, "E_USAGE");
  const label = await runDrover([
    "enroll",
    "--workspace",
    "/tmp/x",
    "--api",
    "http://127.0.0.1:9",
    "--label",
    "bad",
  ]);
  assert.equal(label.code, 2);
  assert.equal(
    label.stderr,
    "drover enroll: --label needs KEY=VALUE, not 'bad'\nTry 'drover enroll --help'.\n",
  );
});

Deno.test("drover report and status on a mistyped --workspace fail and create nothing; an empty one is not enrolled", async () => {
  await using tmp = await tempDir("drover-typo-");
  const typo = tmp.join("typo");
  const exists = (path: string) => stat(path).then(() => true, () => false);
  const report = await runDrover(["report", "--workspace", typo]);
  assert.equal(report.code, 1, report.stderr);
  assert.match(report.stderr, /^drover report: Cannot send reports: workspace .*typo does not exist/);
  assert.equal(await exists(typo), false);
  const json = await runDrover(["report", "--workspace", typo, "--json"]);
  assert.equal(json.code, 1);
  assert.equal(jsonOf(json).errors[0].code, "E_NOT_FOUND");
  // a workspace of a device that is not enrolled: not enrolled, and nothing created in it either
  const empty = tmp.join("empty");
  await Deno.mkdir(empty);
  const notEnrolled = await runDrover(["report", "--workspace", empty]);
  assert.equal(notEnrolled.code, 1);
  assert.match(notEnrolled.stderr, /not enrolled/);
  assert.deepEqual(await readdir(empty), []);
  await Deno.mkdir(tmp.join("target"));
  // a mistyped workspace is an error (not a device that never checked), as for report
  const typoStatus = await runDrover(["status", "--target", tmp.join("target"), "--workspace", typo]);
  assert.equal(typoStatus.code, 1, typoStatus.stderr);
  assert.equal(typoStatus.stdout, "");
  assert.match(typoStatus.stderr, /^drover status: Cannot show status: workspace \S*typo does not exist\n$/);
  const typoJson = await runDrover(["status", "--target", tmp.join("target"), "--workspace", typo, "--json"]);
  assert.equal(typoJson.code, 1);
  assert.equal(jsonOf(typoJson).errors[0].code, "E_NOT_FOUND");
  const status = await runDrover(["status", "--target", tmp.join("target"), "--workspace", empty, "--json"]);
  assert.equal(status.code, 0, status.stderr);
  assert.equal(jsonOf(status).fleet.state, "not-enrolled");
  assert.equal(await exists(typo), false);
  assert.deepEqual(await readdir(empty), []);
});
