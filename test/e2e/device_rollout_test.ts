/**
 * Staged rollouts on the device through the bundled CLI (dist/drover.mjs under Node), against a
 * static repository with a fake fleet API on the same host (test/e2e/fake_fleet.ts): a release
 * published with `repo add-app --rollout 5,100@72h` holds back a device outside the first 5%
 * (`held-back` and the reason in `--json` and text, exit 0) after it took the release before
 * (a device is never left with nothing), a canary (`--cohort`, `DROVER_COHORT` or the enrollment
 * label `cohort=canary`) takes it at once, an edge answering cap 100 cannot widen the 5% step, and
 * one answering halted (cap 0) withdraws it from a canary that lacks it.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { rolloutBucket } from "../../core/rollout/mod.ts";
import {
  buildRepo,
  commitId,
  type Device,
  makeDevice,
  type Repo,
  repoCli,
  runDrover,
  SCENARIO_APP,
  serveDir,
  sha256,
  tarGz,
  type TempDir,
  tempDir,
  type TestServer,
  writeTree,
} from "../harness.ts";
import { FakeFleet } from "./fake_fleet.ts";
import { jsonOf } from "./device_fixture.ts";

const APP = SCENARIO_APP;
const ONE = commitId("rollout one");
const TWO = commitId("rollout two");

interface Setup extends AsyncDisposable {
  tmp: TempDir;
  repo: Repo;
  fleet: FakeFleet;
  server: TestServer;
  /** The rollout id of release two (5% now, 100% from 72 h after publication). */
  rolloutId: string;
}

/** Release one (no rollout) and release two (`--rollout 5,100@72h`), served with a fake fleet. */
async function setup(): Promise<Setup> {
  const tmp = await tempDir("drover-rollout-");
  for (const v of ["one", "two"]) {
    await writeTree(tmp.join(v), { "bin/start": `#!/bin/sh\necho ${v}\n` });
    await tarGz(tmp.join(v), tmp.join(`${v}.tar.gz`));
  }
  const repo = await buildRepo(tmp.join("repo"), [{ ...APP, commit: ONE, file: tmp.join("one.tar.gz") }]);
  const added = JSON.parse(
    await repoCli([
      ...["add-app", "--repo", repo.dir, "--keys", repo.keys, "--name", APP.name, "--ref", APP.ref],
      ...["--commit", TWO, "--file", tmp.join("two.tar.gz"), "--rollout", "5,100@72h", "--json"],
    ]),
  );
  const fleet = new FakeFleet();
  const server = serveDir(repo.dir, fleet.intercept);
  return {
    tmp,
    repo,
    fleet,
    server,
    rolloutId: added.rollout.id,
    async [Symbol.asyncDispose]() {
      fleet.close();
      await server.close();
      await tmp[Symbol.asyncDispose]();
    },
  };
}

/** A device id outside the first `percent`% of `rolloutId` (deterministic). */
function outside(rolloutId: string, percent = 5): string {
  for (let i = 0;; i++) {
    const id = `r_${sha256(`device ${i}`).slice(0, 32)}`;
    if (rolloutBucket(rolloutId, id) >= percent) return id;
  }
}

async function update(s: Setup, device: Device, ...extra: string[]) {
  const r = await runDrover([...device.args("update", s.server.url), "--json", ...extra]);
  assert.equal(r.code, 0, r.stderr);
  const doc = jsonOf(r);
  return { doc, app: doc.check.apps[0], stderr: r.stderr };
}

const current = async (device: Device) =>
  JSON.parse(await readFile(join(device.appDir, "current/.deploy"), "utf8")).commit;

/** Enrolls `device` (accepted); rotates its key until its id is outside the first 5% of `rolloutId`. */
async function enrollOutside(
  s: Setup,
  device: Device,
  rolloutId: string,
  ...extra: string[]
): Promise<string> {
  const args = [
    "enroll",
    "--api",
    s.server.url,
    "--workspace",
    device.workspace,
    "--enroll-token",
    s.fleet.token,
  ];
  for (let i = 0; i < 20; i++) {
    const r = await runDrover([...args, ...extra, ...(i > 0 ? ["--rotate-key"] : []), "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const id = jsonOf(r).deviceId;
    if (rolloutBucket(rolloutId, id) >= 5) return id;
  }
  throw new Error("no device key outside the first 5% in 20 tries");
}

Deno.test("a device outside the 5% takes the release before, then is held back with the reason; a canary takes it", async () => {
  await using s = await setup();
  const rid = s.rolloutId;
  assert.match(rid, new RegExp(`^acme:radio:main:2:${TWO}$`));

  const late = await makeDevice(s.tmp.join("late"), s.repo, APP);
  const id = outside(rid);
  await Deno.mkdir(join(late.workspace, "rollout"));
  await writeFile(join(late.workspace, "rollout/device-id"), `${id}\n`);
  const first = await update(s, late);
  assert.equal(first.app.action, "deferred", "not left with nothing: release one");
  assert.equal(first.app.available, ONE);
  assert.equal(first.doc.install.apps[0].action, "installed");
  assert.equal(await current(late), ONE);
  const bucket = rolloutBucket(rid, id);
  assert.deepEqual(
    [first.app.rollout.id, first.app.rollout.commit, first.app.rollout.included, first.app.rollout.bucket],
    [rid, TWO, false, bucket],
  );

  const held = await update(s, late);
  assert.equal(held.app.action, "held-back");
  assert.equal(held.doc.exitCode, 0);
  assert.deepEqual(held.doc.install.apps, []);
  const r = held.app.rollout;
  assert.deepEqual([r.included, r.percentNow, r.cap, r.effectivePercent, r.withdrawn], [
    false,
    5,
    null,
    5,
    false,
  ]);
  assert.equal(r.nextStep.percent, 100);
  assert.match(
    r.reason,
    new RegExp(`^held back by rollout ${rid}: bucket [\\d.]+, at 5% now, 100% from \\S+Z$`),
  );
  assert.equal(await current(late), ONE);
  const text = await runDrover(late.args("check", s.server.url));
  assert.equal(text.code, 0, text.stderr);
  assert.match(
    text.stdout,
    /^acme\/radio\tmain\t[0-9a-f]{12}\theld-back\theld back by rollout acme:radio:main:2:/,
  );

  // canaries: the flag, or env DROVER_COHORT
  const canary = await makeDevice(s.tmp.join("canary"), s.repo, APP);
  await Deno.mkdir(join(canary.workspace, "rollout"));
  await writeFile(join(canary.workspace, "rollout/device-id"), `${id}\n`); // the same place: only the cohort differs
  const taken = await update(s, canary, "--cohort", "canary");
  assert.equal(taken.app.action, "deferred");
  assert.deepEqual(
    [taken.app.available, taken.app.rollout.included, taken.app.rollout.bucket, taken.app.rollout.cohort],
    [TWO, true, 0, "canary"],
  );
  assert.equal(await current(canary), TWO);
  const byEnv = await runDrover([...late.args("check", s.server.url), "--json"], {
    env: { DROVER_COHORT: "canary" },
  });
  assert.equal(jsonOf(byEnv).apps[0].action, "downloaded");
  const usage = await runDrover([...late.args("check", s.server.url), "--cohort", "beta"]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--cohort \(env DROVER_COHORT\) must be canary or none, not 'beta'/);
  // a device that made its own id keeps it
  const fresh = await makeDevice(s.tmp.join("fresh"), s.repo, APP);
  const made = await update(s, fresh);
  const own = (await readFile(join(fresh.workspace, "rollout/device-id"), "utf8")).trim();
  assert.match(own, /^r_[0-9a-f]{32}$/);
  assert.equal(made.app.rollout.bucket, rolloutBucket(rid, own));
});

Deno.test("an edge answering cap 100 cannot widen a 5% step; halted (cap 0) withdraws the release from a canary", async () => {
  await using s = await setup();
  const rid = s.rolloutId;
  const device = await makeDevice(s.tmp.join("tampered"), s.repo, APP);
  const id = await enrollOutside(s, device, rid);
  s.fleet.rollouts = { [rid]: { cap: 100, state: "running" } };
  const first = await update(s, device);
  assert.equal(first.app.available, ONE, "the signed 5% holds");
  assert.deepEqual(
    [first.app.rollout.included, first.app.rollout.cap, first.app.rollout.effectivePercent],
    [false, 100, 5],
  );
  assert.equal(first.app.rollout.bucket, rolloutBucket(rid, id), "bucketed by the enrolled device id");
  const saved = JSON.parse(await readFile(join(device.workspace, "rollout/holds.json"), "utf8"));
  assert.deepEqual([saved.deviceId, saved.rollouts], [id, { [rid]: { cap: 100, state: "running" } }]);
  const checkIns = () => s.fleet.requests.filter((q) => q.path === `/v1/devices/${id}/checkin`).length;
  assert.equal(checkIns(), 2, "before deciding, and after installing");
  const held = await update(s, device);
  assert.equal(held.app.action, "held-back");
  assert.equal(checkIns(), 3, "nothing installed: one check-in");
  assert.equal(await current(device), ONE);

  // a canary by its enrollment label, while the edge has halted the rollout
  const canary = await makeDevice(s.tmp.join("canary"), s.repo, APP);
  await enrollOutside(s, canary, rid, "--label", "cohort=canary");
  s.fleet.rollouts = { [rid]: { cap: 0, state: "halted" } };
  const withdrawn = await update(s, canary);
  assert.equal(await current(canary), ONE);
  assert.deepEqual(
    [withdrawn.app.rollout.withdrawn, withdrawn.app.rollout.cohort, withdrawn.app.rollout.reason],
    [true, "canary", `withdrawn by the edge: rollout ${rid} is halted`],
  );
  // the edge down: the last holds known still apply
  s.fleet.mode = "down";
  const down = await update(s, canary);
  assert.equal(down.app.action, "held-back");
  assert.match(down.stderr, /drover: fleet: .*HTTP 503/);
  // resumed: the canary takes it
  s.fleet.mode = "ok";
  s.fleet.rollouts = { [rid]: { cap: null, state: "running" } };
  const resumed = await update(s, canary);
  assert.equal(resumed.app.available, TWO);
  assert.equal(await current(canary), TWO);
});
