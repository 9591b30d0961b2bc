/**
 * A simulated fleet of 200 devices (the `drover` library in this process, one target and
 * workspace each, not enrolled: each makes its own random rollout id) under one release published
 * with `--rollout 10,50@24h,100@48h`, driven by an injected device clock (`CommandIO.now`) at 1 h,
 * 25 h and 49 h after publication, the repository's timestamp renewed as of each time as the edge
 * would. The release reaches about 10%, then 50%, then every device: exactly the devices whose
 * bucket is below the percent, a share within 4 binomial standard deviations of it; the buckets
 * drover reports are uniform (chi-square over 10 bins).
 */
import assert from "node:assert/strict";
import { copyFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { RepositoryWriter } from "../../core/trust/mod.ts";
import { FsRepoStore } from "../../scripts/repo/fs_repo_store.ts";
import { main } from "../../device/drover.ts";
import {
  buildRepo,
  commitId,
  repoCli,
  repoKey,
  SCENARIO_APP,
  tarGz,
  tempDir,
  writeTree,
} from "../harness.ts";

const DEVICES = 200;
const APP = SCENARIO_APP;
const RELEASE = commitId("simulated release");
const HOUR = 3_600_000;
/** Chi-square, 9 degrees of freedom, p = 0.0001. */
const CHI2_CRITICAL = 33.72;

/** Runs `drover argv` in this process with the device clock at `now`. */
async function drover(argv: string[], now: Date) {
  let stdout = "", stderr = "";
  const code = await main(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: {},
    stderrIsTTY: false,
    now: () => new Date(now),
  });
  return { code, stdout, stderr };
}

Deno.test("a simulated fleet of 200 devices takes a 10%/50%/100% rollout step by step, by uniform buckets", async () => {
  await using tmp = await tempDir("drover-rollout-sim-");
  await writeTree(tmp.join("src"), { "VERSION": "sim\n" });
  await tarGz(tmp.join("src"), tmp.join("release.tar.gz"));
  const repo = await buildRepo(tmp.join("repo"), []);
  const added = JSON.parse(
    await repoCli([
      ...["add-app", "--repo", repo.dir, "--keys", repo.keys, "--name", APP.name, "--ref", APP.ref],
      ...[
        "--commit",
        RELEASE,
        "--file",
        tmp.join("release.tar.gz"),
        "--rollout",
        "10,50@24h,100@48h",
        "--json",
      ],
    ]),
  );
  const published = Date.parse(added.rollout.publishedAt);
  const api = `file://${repo.dir}`;

  const devices = Array.from({ length: DEVICES }, (_, i) => ({
    target: tmp.join(`d${i}/target`),
    ws: tmp.join(`d${i}/ws`),
    installed: false,
  }));
  const start = new Date(published + HOUR);
  for (const d of devices) {
    await mkdir(join(d.ws, "tuf"), { recursive: true });
    await mkdir(d.target, { recursive: true });
    await copyFile(join(repo.dir, "tuf/1.root.json"), join(d.ws, "tuf/root.json"));
    const add = await drover(["add", "--target", d.target, "--app", APP.name, "--ref", APP.ref], start);
    assert.equal(add.code, 0, add.stderr);
  }

  const buckets: number[] = [];
  for (const [hours, percent] of [[1, 10], [25, 50], [49, 100]] as const) {
    const now = new Date(published + hours * HOUR);
    if (hours > 1) {
      // the edge renews the timestamp daily: as of the simulated time
      const keys = { timestamp: await repoKey(repo, "timestamp") };
      await (await RepositoryWriter.open(new FsRepoStore(repo.dir), keys, { now })).renewTimestamp();
    }
    let included = 0;
    for (const [i, d] of devices.entries()) {
      const argv = ["update", "--target", d.target, "--workspace", d.ws, "--api", api, "--json"];
      const r = await drover(argv, now);
      assert.equal(r.code, 0, r.stderr);
      const app = JSON.parse(r.stdout).check.apps[0];
      const rollout = app.rollout;
      assert.equal(rollout.percentNow, percent, `device ${i} at ${hours} h`);
      assert.equal(rollout.included, rollout.bucket < percent, `device ${i}: bucket ${rollout.bucket}`);
      if (hours === 1) buckets.push(rollout.bucket);
      else assert.equal(rollout.bucket, buckets[i], `device ${i} keeps its place`);
      if (rollout.included) included++;
      const expected = d.installed ? "up-to-date" : rollout.included ? "deferred" : "held-back";
      assert.equal(app.action, expected, `device ${i} at ${hours} h`);
      if (rollout.included) d.installed = true;
    }
    const installed = await Promise.all(
      devices.map(async (d) =>
        await readFile(join(d.target, APP.slug, "current/VERSION"), "utf8").then(() => true, () => false)
      ),
    );
    assert.deepEqual(installed, devices.map((d) => d.installed), `what is installed at ${hours} h`);
    const p = percent / 100;
    const tolerance = 4 * Math.sqrt((p * (1 - p)) / DEVICES);
    const share = included / DEVICES;
    assert.ok(
      Math.abs(share - p) <= tolerance,
      `${included} of ${DEVICES} devices at ${hours} h: ${share} is not within ${percent}% ± ${
        tolerance * 100
      }%`,
    );
  }

  const bins = new Array(10).fill(0);
  for (const b of buckets) bins[Math.floor(b / 10)]++;
  const expected = DEVICES / 10;
  const chi2 = bins.reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
  assert.ok(
    chi2 < CHI2_CRITICAL,
    `buckets are not uniform: ${bins.join(" ")} (chi-square ${chi2.toFixed(1)})`,
  );
  assert.equal(new Set(buckets).size, DEVICES, "every device drew its own place");
});
