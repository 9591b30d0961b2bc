/**
 * Crash safety of the fleet reports: an enrolled device's `drover update` is SIGKILLed at random
 * moments (and once, on purpose, after the fleet API stored a report batch but before the device
 * heard back), then `drover install` finishes the job. Every event that was ever written to the
 * spool must reach the fleet API, each counted once (the device resends with the same ids), every
 * release that ended up installed must have its `install ok`, and the spool must end empty.
 *
 * The fleet API is test/e2e/fake_fleet.ts (it verifies signatures and counters, and can hold its
 * answer to a report batch after storing it). CRASH_KILLS sets the number of kills (default 8),
 * CRASH_SEED replays a run, CRASH_TMPDIR the file system (default /dev/shm when present).
 */
import assert from "node:assert/strict";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  buildRepo,
  commitId,
  DROVER_REPO_MJS,
  makeDevice,
  runCommand,
  runDrover,
  SCENARIO_APP,
  serveDir,
  spawnDrover,
  tarGz,
  tempDir,
  writeTree,
} from "../harness.ts";
import { FakeFleet } from "../e2e/fake_fleet.ts";

const APP = SCENARIO_APP;
const EVENT_FILE = /^(r\d{12}-[0-9a-f]{16})\.json$/;

/** Deterministic pseudo-random numbers (mulberry32), so a failing run can be replayed with CRASH_SEED. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Ids of the events in the spool now. */
async function spooled(workspace: string): Promise<string[]> {
  const names = await readdir(join(workspace, "reports")).catch(() => [] as string[]);
  return names.flatMap((n) => EVENT_FILE.exec(n)?.[1] ?? []);
}

Deno.test("update killed (SIGKILL) at random moments: every spooled event reaches the fleet once, every install is reported", async () => {
  const parent = Deno.env.get("CRASH_TMPDIR") ??
    ((await stat("/dev/shm").catch(() => undefined)) ? "/dev/shm" : undefined);
  await using tmp = await tempDir("drover-fleet-crash-", parent);
  const kills = Number(Deno.env.get("CRASH_KILLS") ?? 8);
  const seed = Number(Deno.env.get("CRASH_SEED") ?? Date.now() % 1_000_000);
  const next = random(seed);
  const archive = async (n: number) => {
    await writeTree(tmp.join(`src${n}`), {
      "bin/start": `#!/bin/sh\necho ${n}\n`,
      "data.bin": crypto.getRandomValues(new Uint8Array(48 << 10)),
    });
    await tarGz(tmp.join(`src${n}`), tmp.join(`a${n}.tar.gz`));
    return tmp.join(`a${n}.tar.gz`);
  };
  const repo = await buildRepo(tmp.join("repo"), [{
    ...APP,
    commit: commitId("fleet crash 0"),
    file: await archive(0),
  }]);
  const publish = async (n: number) => {
    const r = await runCommand("node", [
      DROVER_REPO_MJS,
      "add-app",
      "--repo",
      repo.dir,
      "--keys",
      repo.keys,
      "--name",
      APP.name,
      "--ref",
      APP.ref,
      "--commit",
      commitId(`fleet crash ${n}`),
      "--file",
      await archive(n),
    ]);
    assert.equal(r.code, 0, r.stderr);
  };
  const fleet = new FakeFleet();
  const server = serveDir(repo.dir, fleet.intercept);
  try {
    const device = await makeDevice(tmp.join("device"), repo, APP);
    const enroll = await runDrover(["enroll", "--api", server.url, "--workspace", device.workspace]);
    assert.equal(enroll.code, 0, enroll.stderr);
    const id = enroll.stdout.split("\t")[0]!;
    const update = [...device.args("update", server.url), "--health-cmd", "sleep 0.05"];
    fleet.reportDelayMs = 300; // the device waits for the answer after the fleet stored the batch

    // one uninterrupted run to learn how long an update takes
    const started = performance.now();
    const first = await runDrover(update);
    const duration = performance.now() - started;
    assert.equal(first.code, 0, first.stderr);

    const written = new Set<string>(); // every id seen in the spool
    const installed = new Set<string>([commitId("fleet crash 0")]);
    const outcomes = { storedNotAcked: 0 };
    for (let i = 1; i <= kills; i++) {
      await publish(i);
      const before = new Set(fleet.device(id).events.keys());
      const child = await spawnDrover(update);
      const context = `kill ${i}/${kills} (CRASH_SEED=${seed})`;
      if (i === 1) {
        // on purpose: after the fleet stored a batch, before the device heard back
        await new Promise<void>((resolve) => (fleet.onReportsStored = resolve));
        fleet.onReportsStored = undefined;
      } else {
        await new Promise((r) => setTimeout(r, next() * duration));
      }
      try {
        child.kill("SIGKILL");
      } catch { /* already exited */ }
      await child.status;
      const left = await spooled(device.workspace);
      for (const e of left) written.add(e);
      if (left.some((e) => fleet.device(id).events.has(e) && !before.has(e))) outcomes.storedNotAcked++;
      // the next run finishes an interrupted install and sends what waits
      const finish = await runDrover(device.args("install"));
      assert.equal(finish.code, 0, `${context}: ${finish.stderr}`);
      assert.deepEqual(await spooled(device.workspace), [], `${context}: the spool is sent`);
      const deploy = JSON.parse(await readFile(join(device.appDir, "current/.deploy"), "utf8"));
      installed.add(deploy.commit);
    }

    const d = fleet.device(id);
    const stored = new Set(d.events.keys());
    const missing = [...written].filter((e) => !stored.has(e));
    assert.deepEqual(missing, [], `spooled events never delivered (CRASH_SEED=${seed})`);
    assert.equal(d.accepted, stored.size, "each event counted once");
    // a resent event keeps its id: the fleet never holds one event twice under two ids
    const bodies = [...d.events.values()].map(({ id: _, ...rest }) => JSON.stringify(rest));
    assert.equal(new Set(bodies).size, bodies.length, "an event was stored twice under different ids");
    assert.ok(outcomes.storedNotAcked > 0, "no kill landed between stored and acknowledged");
    assert.ok(d.duplicates > 0, "a batch stored before the kill was sent again (and not counted)");
    const installOk = new Set(
      [...d.events.values()].filter((e) => e.stage === "install" && e.result === "ok")
        .map((e) => e.commit),
    );
    for (const commit of installed) {
      if (commit === commitId("fleet crash 0") || installOk.has(commit)) continue;
      assert.fail(
        `${
          commit.slice(0, 12)
        } was installed but its install ok never reached the fleet (CRASH_SEED=${seed})`,
      );
    }
    assert.ok(installOk.has(commitId("fleet crash 0")));
    console.log(
      `kills: ${kills}, events: ${stored.size}, duplicates: ${d.duplicates}, ` +
        `installed: ${installed.size}, update ${duration.toFixed(0)} ms, CRASH_SEED=${seed}`,
    );
  } finally {
    fleet.close();
    await server.close();
  }
});
