/**
 * End to end: `repo` commands run as concurrent processes on one repository. Each holds the
 * repository's lock (`<repo>/.lock`) across its read-modify-write of metadata, so four `add-app` runs
 * started together keep all four releases (distinct serials), a busy lock makes a command wait and
 * then give up with exit 75, and a lock left by a dead process is taken over.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { hostname } from "node:os";
import { packTar } from "modern-tar";
import { MemoryStore, refreshTrust } from "../../core/trust/mod.ts";
import type { AppCustom } from "../../core/trust/mod.ts";
import { runRepo } from "../harness.ts";

const repo = (...args: string[]) => runRepo(args);

async function withRepo(fn: (r: { dir: string; keys: string; tmp: string }) => Promise<void>) {
  const tmp = await Deno.makeTempDir({ prefix: "drover-repo-lock-" });
  try {
    const dir = join(tmp, "repo"), keys = join(tmp, "keys");
    const init = await repo("init", "--repo", dir, "--keys", keys);
    assert.equal(init.code, 0, init.stderr);
    await fn({ dir, keys, tmp });
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

async function signedApps(dir: string): Promise<AppCustom[]> {
  const trusted = await refreshTrust({
    fetch: (path) => Deno.readFile(join(dir, path)).catch(() => undefined),
    store: new MemoryStore(),
    trustedRoot: await Deno.readFile(join(dir, "tuf/1.root.json")),
  });
  return trusted.apps().map((t) => t.custom as AppCustom);
}

Deno.test("four repo add-app processes started together keep all four releases, with distinct serials", async () => {
  await withRepo(async ({ dir, keys, tmp }) => {
    const commits = ["1111111", "2222222", "3333333", "4444444"];
    for (const c of commits) {
      const body = new Uint8Array(1024).fill(c.charCodeAt(0));
      await Deno.writeFile(
        join(tmp, `${c}.tar`),
        await packTar([{ header: { name: "data.bin", size: 1024 }, body }]),
      );
    }
    const runs = await Promise.all(commits.map((c) =>
      repo(
        "add-app",
        ...["--repo", dir, "--keys", keys, "--file", join(tmp, `${c}.tar`), "--no-chunks"],
        ...["--name", "acme/radio", "--ref", "main", "--commit", c, "--json"],
      )
    ));
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    const reported = runs.map((r) => JSON.parse(r.stdout).versions.targets).sort();
    assert.deepEqual(reported, [2, 3, 4, 5], "each run reports the version it committed");
    const apps = await signedApps(dir);
    assert.deepEqual(apps.map((a) => a.commit).sort(), commits, "no release lost");
    assert.deepEqual(apps.map((a) => a.serial).sort(), [1, 2, 3, 4]);
    await assert.rejects(Deno.stat(join(dir, ".lock")), "released");
  });
});

Deno.test("a repo command waits for a held lock, then exits 75 saying who holds it; a dead holder's lock is taken over", async () => {
  await withRepo(async ({ dir, keys }) => {
    // a live holder: a sleeping child process (its pid and start time, as device/fs/lock.ts writes them)
    const sleeper = new Deno.Command("sleep", { args: ["30"] }).spawn();
    try {
      const stat = await Deno.readTextFile(`/proc/${sleeper.pid}/stat`);
      const start = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
      const holder = { pid: sleeper.pid, start, host: hostname(), at: "2026-01-01T00:00:00.000Z" };
      await Deno.writeTextFile(join(dir, ".lock"), JSON.stringify(holder));
      const started = Date.now();
      const busy = await repo("timestamp", "--repo", dir, "--keys", keys, "--lock-wait", "0.5", "--json");
      assert.equal(busy.code, 75, busy.stderr);
      assert.ok(Date.now() - started >= 500, "waited");
      const error = JSON.parse(busy.stdout).errors[0];
      assert.equal(error.code, "E_TRANSIENT");
      assert.match(error.message, new RegExp(`Cannot lock repository .*: held by pid ${sleeper.pid} since`));
      assert.match(busy.stderr, /waiting up to 0\.5 s for the repository lock/);
    } finally {
      sleeper.kill();
      await sleeper.status;
    }
    // the holder is gone: its lock is stale and taken over at once
    const again = await repo("timestamp", "--repo", dir, "--keys", keys, "--lock-wait", "0");
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^timestamp v2$/m, "the timestamp the busy run never wrote");
  });
});
