/**
 * Ctrl-C (SIGINT) or systemd stopping the unit (SIGTERM) during `drover update` or `drover install`
 * (the bundled CLI under Node, a real child process): one exit code per signal (130, 143) wherever it
 * lands (download or extraction), a `Cannot install …: interrupted (SIG…)` line, no failure reported to
 * the fleet (the fake fleet of test/e2e/fake_fleet.ts), and the next run installs.
 */
import assert from "node:assert/strict";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  buildRepo,
  commitId,
  type Device,
  droverCommand,
  ensureBundle,
  makeDevice,
  type Repo,
  runDrover,
  SCENARIO_APP,
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
const ONE = commitId("interrupt one");

interface Setup extends AsyncDisposable {
  tmp: TempDir;
  repo: Repo;
  fleet: FakeFleet;
  server: TestServer;
  device: Device;
  deviceId: string;
}

/** Release one of acme/radio (`files` small files and 1 MiB that does not compress), an enrolled device. */
async function setup(files: number): Promise<Setup> {
  const tmp = await tempDir("drover-interrupt-");
  const tree: Record<string, string | Uint8Array> = { "bin/start": "#!/bin/sh\necho one\n" };
  const noise = new Uint8Array(1 << 20);
  for (let i = 0; i < noise.length; i += 65_536) crypto.getRandomValues(noise.subarray(i, i + 65_536));
  tree["data/noise.bin"] = noise;
  for (let i = 0; i < files; i++) tree[`data/f${i}.txt`] = `file ${i}\n`.repeat(20);
  await writeTree(tmp.join("one"), tree);
  await tarGz(tmp.join("one"), tmp.join("one.tar.gz"));
  const repo = await buildRepo(tmp.join("repo"), [{ ...APP, commit: ONE, file: tmp.join("one.tar.gz") }]);
  const fleet = new FakeFleet();
  const server = serveDir(repo.dir, fleet.intercept);
  const device = await makeDevice(tmp.join("device"), repo, APP);
  const enroll = await runDrover([
    "enroll",
    "--api",
    server.url,
    "--workspace",
    device.workspace,
    "--enroll-token",
    fleet.token,
    "--json",
  ]);
  assert.equal(enroll.code, 0, enroll.stderr);
  return {
    tmp,
    repo,
    fleet,
    server,
    device,
    deviceId: jsonOf(enroll).deviceId,
    async [Symbol.asyncDispose]() {
      fleet.close();
      await server.close();
      await tmp[Symbol.asyncDispose]();
    },
  };
}

/** Starts `drover args` (Node) with its output kept; `done` is its exit code and stderr. */
async function start(args: string[]) {
  await ensureBundle();
  const [cmd, argv] = droverCommand(args, { runtime: "node" });
  const child = new Deno.Command(cmd, {
    args: argv,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const done = child.output().then((out) => {
    clearTimeout(timer);
    return { code: out.code, signal: out.signal, stderr: new TextDecoder().decode(out.stderr) };
  });
  return { child, done };
}

const reported = (s: Setup) =>
  [...s.fleet.device(s.deviceId).events.values()].map((e) =>
    [e.stage, e.result, e.errorCode].filter(Boolean).join(" ")
  );

Deno.test("SIGINT while update downloads: exit 130, one 'interrupted (SIGINT)' line, no failure reported; the next update installs", async () => {
  await using s = await setup(0);
  // the archive: its first 64 KiB, then nothing until the client goes away
  let firstSent!: () => void;
  const sent = new Promise<void>((resolve) => firstSent = resolve);
  s.server.intercept = async (path, req) => {
    if (!path.endsWith(".tar.gz")) return await s.fleet.intercept(path, req);
    const bytes = await Deno.readFile(join(s.repo.dir, path));
    let first = true;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (!first) return new Promise<void>(() => {}); // stalls
        first = false;
        controller.enqueue(bytes.slice(0, 65_536));
        firstSent();
      },
    });
    return new Response(body, { headers: { "content-length": String(bytes.length) } });
  };
  const run = await start(s.device.args("update", s.server.url));
  await sent;
  await new Promise((resolve) => setTimeout(resolve, 300)); // taken in and being extracted
  run.child.kill("SIGINT");
  const r = await run.done;
  assert.equal(r.code, 130, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(`^acme/radio: Cannot install acme/radio ${ONE.slice(0, 12)}: interrupted \\(SIGINT\\)$`, "m"),
  );
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  assert.doesNotMatch(r.stderr, /fleet: Cannot reach/, "the fleet was not out of reach: the reports wait");
  assert.deepEqual(reported(s).filter((e) => e.includes("error")), [], "no failure reported");
  const status = jsonOf(await runDrover([...s.device.args("status").slice(0, 5), "--json"]));
  assert.equal(status.apps[0].lastError, null, "an interruption is not the app's error");
  // nothing left broken: the next run resumes and installs, and reports that outcome only
  s.server.intercept = s.fleet.intercept;
  const next = await runDrover(s.device.args("update", s.server.url), { runtime: "node" });
  assert.equal(next.code, 0, next.stderr);
  assert.equal(await Deno.readLink(join(s.device.appDir, "current")), `releases/1-${ONE.slice(0, 12)}`);
  assert.deepEqual(reported(s), ["download ok", "verify ok", "install ok"]);
});

Deno.test("SIGTERM while install extracts: exit 143, nothing reported as failed; the next install installs", async () => {
  await using s = await setup(3000);
  const check = await runDrover(s.device.args("check", s.server.url), { runtime: "node" });
  assert.equal(check.code, 0, check.stderr);
  const releases = join(s.device.appDir, "releases");
  const run = await start(s.device.args("install"));
  // as soon as the extraction has begun
  const deadline = Date.now() + 30_000;
  while (!(await readdir(releases)).some((n) => n.startsWith(".staging-"))) {
    assert.ok(Date.now() < deadline, "the install never started extracting");
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  run.child.kill("SIGTERM");
  const r = await run.done;
  assert.equal(r.code, 143, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(`^acme/radio: Cannot install acme/radio ${ONE.slice(0, 12)}: interrupted \\(SIGTERM\\)$`, "m"),
  );
  assert.equal(await Deno.readLink(join(s.device.appDir, "current")), "releases/0-seed");
  assert.doesNotMatch(r.stderr, /fleet: Cannot reach/, "the fleet was not out of reach: the reports wait");
  const status = jsonOf(await runDrover([...s.device.args("status").slice(0, 5), "--json"]));
  assert.equal(status.apps[0].pending?.commit, ONE, "still pending, for the next run");
  assert.equal(status.apps[0].lastError, null, "an interruption is not the app's error");
  const next = await runDrover(s.device.args("install"), { runtime: "node" });
  assert.equal(next.code, 0, next.stderr);
  assert.equal(await Deno.readLink(join(s.device.appDir, "current")), `releases/1-${ONE.slice(0, 12)}`);
  assert.equal((await stat(join(s.device.appDir, "current/data/f2999.txt"))).isFile(), true);
  assert.deepEqual(reported(s), ["download ok", "verify ok", "install ok"], "no failure reported");
});

Deno.test("SIGTERM during the health check (systemd stops the unit): exit 143, back to the old release, no verdict reported; the next run checks it again", async () => {
  await using s = await setup(0);
  const marker = s.tmp.join("health-started");
  // the check of the first run waits (until it is stopped); the next run's passes
  const check =
    `if [ -e ${marker} ]; then exit 0; fi; echo $$ > ${marker}.tmp; mv ${marker}.tmp ${marker}; sleep 30`;
  const run = await start([...s.device.args("update", s.server.url), "--health-cmd", check]);
  const deadline = Date.now() + 30_000;
  while (!(await stat(marker).then(() => true, () => false))) {
    assert.ok(Date.now() < deadline, "the health check never started");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  // as systemd does: the unit's every process at once, the check (its own process group) included
  const group = Number((await Deno.readTextFile(marker)).trim());
  Deno.kill(-group, "SIGTERM");
  run.child.kill("SIGTERM");
  const r = await run.done;
  assert.equal(r.code, 143, r.stderr);
  assert.match(r.stderr, /interrupted \(SIGTERM\)/);
  assert.equal(await Deno.readLink(join(s.device.appDir, "current")), "releases/0-seed", "switched back");
  assert.deepEqual(
    reported(s).filter((e) => e.startsWith("health") || e.startsWith("rollback") || e.includes("error")),
    [],
    "no health verdict, no rollback reported",
  );
  const release = `releases/1-${ONE.slice(0, 12)}`;
  assert.equal((await stat(join(s.device.appDir, release))).isDirectory(), true, "kept for the next run");

  const next = await runDrover([...s.device.args("update", s.server.url), "--health-cmd", check], {
    runtime: "node",
  });
  assert.equal(next.code, 0, next.stderr);
  assert.equal(await Deno.readLink(join(s.device.appDir, "current")), release);
  assert.deepEqual(reported(s).filter((e) => e.includes("error")), [], "the commit was never marked bad");
});
