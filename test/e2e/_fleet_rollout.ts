/**
 * The staged-rollout scenario, shared by `fleet_rollout_halt_test.ts` (the Deno edge) and
 * `fleet_rollout_halt_worker_test.ts` (workerd with D1): enrolled devices (`drover`'s main in
 * this process, each with its own target, workspace and device clock `CommandIO.now`) install
 * release 1; release 2 is signed `--rollout 20,100@1h --halt-after 3 --halt-failures 50` with a
 * health check that fails on every device. Updating one device after another, exactly the first 3
 * devices of the first step (bucket < 20) install it and roll back, then the edge halts the rollout
 * and no other device installs it, not even at the device clock's 100% step; nor does a device
 * provisioned after the halt with nothing installed (it takes release 1). A fixed release 3, with its
 * own rollout, then reaches every device once the device clock is past its 100% step.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { rolloutBucket } from "../../core/rollout/mod.ts";
import { main } from "../../device/drover.ts";
import { makeArchive } from "./device_fixture.ts";
import { ENROLL_TOKEN, OPERATOR_TOKEN, operatorApi, pool, repo, waitForRelease } from "./_fleet_rollback.ts";

export const APP = { name: "acme/radio", ref: "main", dir: "radio" } as const;
export const COMMITS = [
  "1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  "2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
  "3333333ccccccccccccccccccccccccccccccccc",
] as const;
const HEALTHY = "#!/bin/sh\nexit 0\n";
const BROKEN = "#!/bin/sh\necho 'radio 2 does not start' >&2\nexit 3\n";
const ROLLOUT = ["--rollout", "20,100@1h", "--halt-after", "3", "--halt-failures", "50"];
const HOUR = 3_600_000;

/** One in-process device with its own clock. */
export class RolloutDevice {
  readonly target: string;
  readonly workspace: string;
  id = "";
  constructor(readonly index: number, dir: string) {
    this.target = join(dir, `d${index}`, "apps");
    this.workspace = join(dir, `d${index}`, "ws");
  }

  async drover(args: string[], now: Date) {
    let stdout = "", stderr = "";
    const code = await main(args, {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      env: { DROVER_OS_VERSION: "acme-os 3.1", DROVER_DEVICE_TYPE: "raspberrypi4-64" },
      stderrIsTTY: false,
      now: () => new Date(now),
    });
    return { code, stdout, stderr };
  }

  async setUp(api: string): Promise<void> {
    await Deno.mkdir(this.target, { recursive: true });
    const now = new Date();
    const add = await this.drover(["add", "--target", this.target, "--app", APP.name, "--ref", APP.ref], now);
    assert.equal(add.code, 0, add.stderr);
    const ws = ["--workspace", this.workspace];
    const enrolled = await this.drover([
      "enroll",
      "--api",
      api,
      ...ws,
      "--enroll-token",
      ENROLL_TOKEN,
      "--json",
    ], now);
    assert.equal(enrolled.code, 0, enrolled.stderr);
    this.id = JSON.parse(enrolled.stdout).deviceId;
  }

  /** `drover update --health-cmd ./bin/check --json` at device clock `now`: the app's entry. */
  async update(api: string, trustedRoot: string, now: Date) {
    const r = await this.drover([
      ...["update", "--target", this.target, "--workspace", this.workspace, "--api", api],
      ...["--trusted-root", trustedRoot, "--health-cmd", "./bin/check", "--json"],
    ], now);
    assert.ok(r.code === 0 || r.code === 1, `device ${this.index}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
    assert.doesNotMatch(
      r.stderr,
      /drover: fleet:/,
      `device ${this.index}: a fleet request failed\n${r.stderr}`,
    );
    const doc = JSON.parse(r.stdout);
    // an app the plan held back is not installed: its entry is the check's
    return { code: r.code, app: doc.install?.apps?.[0] ?? doc.check?.apps?.[0] };
  }

  async currentCommit(): Promise<string> {
    return JSON.parse(await Deno.readTextFile(join(this.target, APP.dir, "current/.deploy"))).commit;
  }
}

/** A repository with release 1; `add(n)` signs release 2 (broken) or 3 (fixed) with a rollout. */
export async function makeRolloutRepository(dir: string) {
  const repoDir = join(dir, "repo"), keys = join(dir, "keys");
  await repo(["init", "--repo", repoDir, "--keys", keys]);
  const archives = await Promise.all(
    [HEALTHY, BROKEN, HEALTHY].map((check, i) =>
      makeArchive(join(dir, `radio-${i + 1}.tar.gz`), { "bin/check": check, VERSION: `${i + 1}\n` })
    ),
  );
  const add = (n: 1 | 2 | 3) =>
    repo([
      ...["add-app", "--repo", repoDir, "--keys", keys, "--name", APP.name, "--ref", APP.ref],
      ...["--commit", COMMITS[n - 1]!, "--file", archives[n - 1]!, ...(n === 1 ? [] : ROLLOUT)],
    ]);
  await add(1);
  return { dir: repoDir, keys, trustedRoot: join(repoDir, "tuf/1.root.json"), archives, add };
}

/** The rollout scenario against `api`; `publish(n)` signs release n and makes the edge serve it. */
export async function runRolloutScenario(api: string, options: {
  devices: RolloutDevice[];
  trustedRoot: string;
  publish: (n: 2 | 3) => Promise<{ rollout: { id: string } }>;
}): Promise<{ broken: string; fixed: string }> {
  const { devices, trustedRoot } = options;
  const op = operatorApi(api);
  await pool(devices, 3, async (d) => {
    await d.setUp(api);
    const { app } = await d.update(api, trustedRoot, new Date());
    assert.equal(app.action, "installed", `device ${d.index}`);
  });

  const broken = (await options.publish(2)).rollout.id;
  await waitForRelease(api, COMMITS[1]);
  const inStep = devices.filter((d) => rolloutBucket(broken, d.id) < 20);
  assert.ok(inStep.length >= 3, `at least 3 of ${devices.length} devices in the first step`);
  const tried: RolloutDevice[] = [];
  // one device after another with the device clock at the first step (20%), then every device again
  // with its clock past the 100% step: once halted, nobody else takes the release
  const rounds = [...devices.map((d) => [d, 0] as const), ...devices.map((d) => [d, 2 * HOUR] as const)];
  for (const [d, ahead] of rounds) {
    const { code, app } = await d.update(api, trustedRoot, new Date(Date.now() + ahead));
    if (app.action === "health-failed") {
      assert.equal(code, 1);
      assert.equal(app.error.code, "E_HEALTH");
      tried.push(d);
    } else {
      assert.equal(app.action, "held-back", `device ${d.index}: ${JSON.stringify(app)}`);
    }
    assert.equal(await d.currentCommit(), COMMITS[0], `device ${d.index} is on release 1`);
  }
  assert.ok(
    tried.every((d) => rolloutBucket(broken, d.id) < 20),
    "no device outside the first step tried it",
  );
  assert.deepEqual(
    tried.map((d) => d.index),
    inStep.slice(0, 3).map((d) => d.index),
    "the first 3, then halted",
  );

  const halted = await op.get(`/v1/fleet/rollouts/${broken}`);
  assert.deepEqual([halted.state, halted.cap, halted.commit], ["halted", 0, COMMITS[1]]);
  assert.deepEqual(halted.counts, { succeeded: 0, failed: 0, rolledBack: 3, timedOut: 0, inProgress: 0 });
  assert.match(halted.reason, /^halt: 3 of 3 finished devices .*; top errors: E_HEALTH 3$/);

  // a device provisioned after the halt (`drover add`, `enroll`, nothing installed) is held back too:
  // its check-in names the app it tracks, the answer carries the hold, it takes release 1
  const fresh = new RolloutDevice(devices.length, join(devices[0]!.target, "../.."));
  await fresh.setUp(api);
  const first = await fresh.update(api, trustedRoot, new Date(Date.now() + 2 * HOUR));
  assert.deepEqual([first.code, first.app.action], [0, "installed"], JSON.stringify(first.app));
  assert.equal(await fresh.currentCommit(), COMMITS[0], "the fresh device never takes the halted release");
  const saved = JSON.parse(await Deno.readTextFile(join(fresh.workspace, "rollout/holds.json")));
  assert.deepEqual(saved.rollouts, { [broken]: { cap: 0, state: "halted" } });
  const everyone = [...devices, fresh];

  const fixed = (await options.publish(3)).rollout.id;
  await waitForRelease(api, COMMITS[2]);
  const later = new Date(Date.now() + 2 * HOUR);
  await pool(everyone, 3, async (d) => {
    const { code, app } = await d.update(api, trustedRoot, later);
    assert.deepEqual([code, app.action], [0, "installed"], `device ${d.index}`);
    assert.equal(await d.currentCommit(), COMMITS[2]);
  });
  const list = await op.get("/v1/fleet/rollouts");
  const byId = new Map(list.items.map((r: { id: string }) => [r.id, r]));
  const done = byId.get(fixed) as { state: string; counts: { succeeded: number }; devicesInReach: number };
  assert.equal(done.state, "running");
  assert.equal(done.counts.succeeded, everyone.length);
  assert.equal((byId.get(broken) as { state: string }).state, "halted", "the broken release stays halted");
  return { broken, fixed };
}

export { OPERATOR_TOKEN };
