/**
 * Crash safety of `drover install` and `drover check`: the CLI runs as a child process and is
 * SIGKILLed at random moments. After every kill `current` (and `previous`, when present) must
 * resolve to a complete release, file for file, and the next run must finish the job cleanly.
 *
 * Set CRASH_KILLS to change the number of kills (default 50), CRASH_SEED to replay a run, CRASH_TMPDIR
 * for the file system (default /dev/shm when present).
 */
import assert from "node:assert/strict";
import { randomFillSync } from "node:crypto";
import { lstat, readdir, readFile, readlink, realpath, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  buildRepo,
  commitId,
  type Device,
  fileDigests,
  makeDevice,
  runCommand,
  runDrover,
  SEED_COMMIT,
  serveDir,
  slowBody,
  spawnDrover,
  tarGz,
  type TempDir,
  tempDir,
  type TestServer,
  writeTree,
} from "../harness.ts";

const APP = { name: "acme/radio", ref: "main", slug: "radio" };
const C1 = commitId("release one");
const C2 = commitId("release two");

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

/** A release: 300 small files in nested dirs and two 3 MiB files; `variant` changes every file. */
async function releaseContent(dir: string, variant: string): Promise<void> {
  const files: Record<string, string | Uint8Array> = {};
  for (let i = 0; i < 300; i++) {
    files[`lib/part-${i % 10}/module-${i}.js`] = `// ${variant} ${i}\n${"x".repeat(200 + (i % 7) * 300)}\n`;
  }
  if (variant === "two") files["lib/only-in-two.txt"] = "new file\n";
  else files["lib/only-in-one.txt"] = "old file\n";
  for (const name of ["assets/big-a.bin", "assets/big-b.bin"]) {
    files[name] = randomFillSync(new Uint8Array(3 << 20));
  }
  files["bin/start"] = `#!/bin/sh\necho ${variant}\n`;
  await writeTree(dir, files);
}

interface Fixture {
  tmp: TempDir;
  device: Device;
  manifests: Map<string, Record<string, string>>;
  pristine: string;
  server: TestServer;
  close(): Promise<void>;
}

/** Release 1 installed by drover, release 2 downloaded by `drover check`; a pristine copy of both dirs. */
async function fixture(): Promise<Fixture> {
  // tmpfs when there is one: fsync is free there, so the kill loop runs several times faster. What is
  // tested (a killed process never leaves a broken `current`) does not depend on the file system.
  const parent = Deno.env.get("CRASH_TMPDIR") ??
    ((await stat("/dev/shm").catch(() => undefined)) ? "/dev/shm" : undefined);
  const tmp = await tempDir("drover-crash-", parent);
  const manifests = new Map<string, Record<string, string>>([[SEED_COMMIT, {}]]);
  for (const [variant, commit] of [["one", C1], ["two", C2]] as const) {
    await releaseContent(tmp.join(variant), variant);
    manifests.set(commit, await fileDigests(tmp.join(variant)));
    await tarGz(tmp.join(variant), tmp.join(`${variant}.tar.gz`));
  }
  const repo = await buildRepo(tmp.join("repo"), [{ ...APP, commit: C1, file: tmp.join("one.tar.gz") }]);
  const server = serveDir(repo.dir);
  try {
    const device = await makeDevice(tmp.join("device"), repo, APP);
    const first = await runDrover(device.args("update", server.url));
    assert.equal(first.code, 0, first.stderr);
    await repo.addApp({ ...APP, commit: C2, file: tmp.join("two.tar.gz") });
    const check = await runDrover(device.args("check", server.url));
    assert.equal(check.code, 0, check.stderr);
    await assertRelease(device.appDir, "current", manifests, [C1]);
    await copyDir(tmp.join("device"), tmp.join("pristine"));
    return {
      tmp,
      device,
      manifests,
      pristine: tmp.join("pristine"),
      server,
      close: async () => {
        await server.close();
        await tmp[Symbol.asyncDispose]();
      },
    };
  } catch (e) {
    await server.close();
    await tmp[Symbol.asyncDispose]();
    throw e;
  }
}

async function copyDir(from: string, to: string): Promise<void> {
  await runCommand("rm", ["-rf", to]);
  const r = await runCommand("cp", ["-a", from, to]);
  assert.equal(r.code, 0, r.stderr);
}

/**
 * `<appDir>/<link>` resolves to `releases/<id>` (not a staging dir) holding exactly the files of one of
 * `commits` (content checked) plus a `.deploy` naming that commit. Returns the commit.
 */
async function assertRelease(
  appDir: string,
  link: string,
  manifests: Map<string, Record<string, string>>,
  commits: string[],
): Promise<string> {
  const text = await readlink(join(appDir, link));
  const real = await realpath(join(appDir, link));
  const releases = await realpath(join(appDir, "releases"));
  assert.equal(real, join(releases, real.split("/").at(-1)!), `${link} -> ${text} is not in releases/`);
  assert.doesNotMatch(real.split("/").at(-1)!, /^\./, `${link} -> ${text} is a staging or trash dir`);
  const deploy = JSON.parse(await readFile(join(real, ".deploy"), "utf8"));
  assert.equal(deploy.name, APP.name);
  assert.ok(commits.includes(deploy.commit), `${link}: unexpected commit ${deploy.commit}`);
  const files = await fileDigests(real);
  delete files[".deploy"];
  assert.deepEqual(
    files,
    manifests.get(deploy.commit),
    `${link} -> ${text}: files differ from ${deploy.commit}`,
  );
  return deploy.commit;
}

/** After the finishing run: current = release 2, previous = release 1, nothing but complete releases. */
async function assertFinished(f: Fixture): Promise<void> {
  const app = f.device.appDir;
  assert.equal(await assertRelease(app, "current", f.manifests, [C2]), C2);
  assert.equal(await assertRelease(app, "previous", f.manifests, [C1]), C1);
  assert.deepEqual((await readdir(app)).sort(), ["current", "previous", "releases"]);
  for (const name of await readdir(join(app, "releases"))) {
    assert.doesNotMatch(name, /^\./, `leftover ${name} in releases/`);
    const deploy = JSON.parse(await readFile(join(app, "releases", name, ".deploy"), "utf8"));
    const files = await fileDigests(join(app, "releases", name));
    delete files[".deploy"];
    assert.deepEqual(files, f.manifests.get(deploy.commit), `releases/${name} is incomplete`);
  }
}

Deno.test("install killed (SIGKILL) at 50 random moments always leaves a complete current; the next run finishes", async () => {
  const f = await fixture();
  try {
    const kills = Number(Deno.env.get("CRASH_KILLS") ?? 50);
    const seed = Number(Deno.env.get("CRASH_SEED") ?? Date.now() % 1_000_000);
    const next = random(seed);
    // One uninterrupted install to learn how long it takes.
    const started = performance.now();
    const full = await runDrover(f.device.args("install"));
    const duration = performance.now() - started;
    assert.equal(full.code, 0, full.stderr);
    await assertFinished(f);
    const outcomes = { old: 0, new: 0, midway: 0 };
    for (let i = 0; i < kills; i++) {
      await copyDir(f.pristine, f.tmp.join("device"));
      const at = next() * duration;
      const child = await spawnDrover(f.device.args("install"));
      await new Promise((r) => setTimeout(r, at));
      try {
        child.kill("SIGKILL");
      } catch { /* already exited */ }
      await child.status;
      const context = `kill ${i + 1}/${kills} at ${at.toFixed(0)} ms of ${
        duration.toFixed(0)
      } (CRASH_SEED=${seed})`;
      try {
        const current = await assertRelease(f.device.appDir, "current", f.manifests, [C1, C2]);
        outcomes[current === C2 ? "new" : "old"]++;
        const releases = await readdir(join(f.device.appDir, "releases"));
        if (
          current === C1 && releases.some((n) => n.startsWith(".staging-") || n.includes(C2.slice(0, 12)))
        ) {
          outcomes.midway++;
        }
        if (await lstat(join(f.device.appDir, "previous")).catch(() => undefined)) {
          await assertRelease(f.device.appDir, "previous", f.manifests, [SEED_COMMIT, C1]);
        }
        const again = await runDrover(f.device.args("install"));
        assert.equal(again.code, 0, again.stderr);
        await assertFinished(f);
      } catch (e) {
        throw new Error(`${context}: ${(e as Error).message}`, { cause: e });
      }
    }
    // Some kills must have landed inside the install's work (staging or renamed, not yet switched), or
    // the test proves little. (After the switch only a few ms remain, so "new" outcomes are rare.)
    assert.ok(outcomes.midway > 0, `no kill landed mid-install: ${JSON.stringify(outcomes)}`);
    console.log(`kills: ${JSON.stringify(outcomes)}, install ${duration.toFixed(0)} ms, CRASH_SEED=${seed}`);
  } finally {
    await f.close();
  }
});

Deno.test("check killed mid-download resumes with a Range request and the download verifies", async () => {
  const f = await fixture();
  try {
    await copyDir(f.pristine, f.tmp.join("device"));
    // Forget the finished download so that check fetches release 2 again, slowly.
    const downloads = join(f.device.workspace, "downloads");
    const blob = (await readdir(downloads)).find((n) => n.endsWith(".blob"));
    assert.ok(blob, "check left no .blob");
    const sha = blob.replace(/\.blob$/, "");
    await runCommand("rm", ["-rf", downloads, join(f.device.workspace, "manifests")]);
    const server = f.server;
    {
      const archive = await readFile(f.tmp.join("two.tar.gz"));
      server.intercept = (path) =>
        path.includes(sha) ? new Response(slowBody(archive, { chunkSize: 16_384, delayMs: 15 })) : undefined;
      const child = await spawnDrover(f.device.args("check", server.url));
      const part = join(downloads, `${sha}.part`);
      for (let i = 0; i < 400; i++) {
        if (((await stat(part).catch(() => undefined))?.size ?? 0) > 100_000) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      child.kill("SIGKILL");
      await child.status;
      const partial = (await stat(part)).size;
      assert.ok(partial > 0 && partial < archive.length, `partial download of ${partial} bytes`);
      server.intercept = undefined;
      const resumed = await runDrover(f.device.args("check", server.url));
      assert.equal(resumed.code, 0, resumed.stderr);
      const ranges = server.requests.filter((r) => r.path.includes(sha) && r.range).map((r) => r.range);
      assert.ok(ranges.some((r) => /^bytes=[1-9]\d*-/.test(r!)), `no resuming Range request: ${ranges}`);
      const done = await readFile(join(downloads, `${sha}.blob`));
      assert.equal(done.length, archive.length);
      assert.deepEqual(done, archive);
      const install = await runDrover(f.device.args("install"));
      assert.equal(install.code, 0, install.stderr);
      await assertFinished(f);
    }
  } finally {
    await f.close();
  }
});
