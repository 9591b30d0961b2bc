import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { TransientError } from "../../core/errors.ts";
import { acquireLock } from "./lock.ts";

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), "drover-lock-"));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true });
  }
}

Deno.test("acquireLock() writes pid and start time, refuses a second holder, and releases", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "lock");
    const lock = await acquireLock(path);
    const info = JSON.parse(await readFile(path, "utf8"));
    assert.equal(info.pid, Deno.pid);
    assert.match(info.start, /^\d+$/);
    await assert.rejects(
      acquireLock(path),
      (e) => e instanceof TransientError && /held by pid/.test(e.message),
    );
    await lock.release();
    await lock.release(); // idempotent
    const again = await acquireLock(path);
    await again.release();
  });
});

Deno.test("acquireLock() with waitSeconds gets the lock once the holder releases it", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "lock");
    const first = await acquireLock(path);
    const timer = setTimeout(() => first.release(), 150);
    const second = await acquireLock(path, { waitSeconds: 30 });
    clearTimeout(timer);
    assert.equal(JSON.parse(await readFile(path, "utf8")).pid, Deno.pid);
    await second.release();
  });
});

Deno.test("acquireLock() takes over a lock whose pid is dead or reused, whatever the host name", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "lock");
    const child = new Deno.Command("true").spawn();
    await child.status;
    await writeFile(path, JSON.stringify({ pid: child.pid, start: "1", host: hostname(), at: "x" }));
    const a = await acquireLock(path);
    await a.release();
    await writeFile(path, JSON.stringify({ pid: Deno.pid, start: "1", host: hostname(), at: "x" }));
    const b = await acquireLock(path);
    await b.release();
    // a hostname change (first-boot naming) does not make a dead holder's lock unbreakable
    await writeFile(path, JSON.stringify({ pid: child.pid, start: "1", host: "renamed", at: "x" }));
    const c = await acquireLock(path);
    await c.release();
    // a fresh unreadable lock (writer between create and write) counts as busy
    await writeFile(path, "");
    await assert.rejects(acquireLock(path), TransientError);
  });
});

Deno.test("a released lock does not remove a lock that another process took over meanwhile", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "lock");
    const lock = await acquireLock(path);
    await writeFile(path, JSON.stringify({ pid: 1, start: null, host: hostname(), at: "other" }));
    await lock.release();
    assert.match(await readFile(path, "utf8"), /"other"/);
  });
});
