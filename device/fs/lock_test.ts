import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { NoSpaceError, ReadOnlyError, TransientError } from "../../core/errors.ts";
import { acquireLock } from "./lock.ts";
import { lockFiles } from "./_lock_files.ts";

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

Deno.test("an unreadable lock is stale once its mtime is over 10 s away, in the past or the future", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "lock");
    // a power cut left it empty while the clock was ahead; NTP set the clock back since (no RTC)
    for (const offsetMs of [366 * 86_400_000, 11_000, -11_000]) {
      await writeFile(path, "");
      const t = new Date(Date.now() + offsetMs);
      await utimes(path, t, t);
      const lock = await acquireLock(path);
      assert.equal(JSON.parse(await readFile(path, "utf8")).pid, Deno.pid, `mtime ${offsetMs} ms from now`);
      await lock.release();
    }
    // one written 5 s ahead is still busy now (a writer between create and write), never for long
    await writeFile(path, "");
    const soon = new Date(Date.now() + 5_000);
    await utimes(path, soon, soon);
    await assert.rejects(acquireLock(path), TransientError);
  });
});

Deno.test("a lock path that cannot be read (a directory) fails at once instead of spinning", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "lock");
    await mkdir(path);
    await assert.rejects(acquireLock(path, { waitSeconds: 30 }), /^Error: Cannot lock .*lock: /);
  });
});

/** Runs `fn` with `lockFiles.open` / `link` replaced, then puts them back. */
async function withFiles(replace: Partial<typeof lockFiles>, fn: () => Promise<void>) {
  const saved = { ...lockFiles };
  Object.assign(lockFiles, replace);
  try {
    await fn();
  } finally {
    Object.assign(lockFiles, saved);
  }
}

const errno = (code: string, message: string) => Object.assign(new Error(message), { code });

Deno.test("a full or read-only workspace: a named error, and no temp file left whatever step failed", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "lock");
    const realOpen = lockFiles.open;
    // the content's write fails (full disk: the temp file was created, its block was not)
    const fullOnWrite = (async (...args: Parameters<typeof realOpen>) => {
      const h = await realOpen(...args);
      h.writeFile = () => Promise.reject(errno("ENOSPC", "ENOSPC: no space left on device, write"));
      return h;
    }) as typeof realOpen;
    // the fsync fails (Deno's text, no code)
    const fullOnSync = (async (...args: Parameters<typeof realOpen>) => {
      const h = await realOpen(...args);
      h.sync = () => Promise.reject(new Error("No space left on device (os error 28)"));
      return h;
    }) as typeof realOpen;
    const readOnly = (() =>
      Promise.reject(errno("EROFS", "EROFS: read-only file system, open"))) as typeof realOpen;
    for (
      const [open, type] of [[fullOnWrite, NoSpaceError], [fullOnSync, NoSpaceError], [
        readOnly,
        ReadOnlyError,
      ]] as const
    ) {
      await withFiles({ open }, async () => {
        await assert.rejects(acquireLock(path), (e) => {
          assert.ok(e instanceof type, String(e));
          assert.match(
            e.message,
            new RegExp(`^Cannot lock ${path}: (no space left on device|read-only file system) \\(${dir}\\)$`),
          );
          return true;
        });
      });
      assert.deepEqual(await readdir(dir), [], "no lock, no lock.new-* left");
    }
    // the link fails for another reason than EEXIST (I/O error): the temp file goes too
    await withFiles({ link: () => Promise.reject(errno("EIO", "EIO: i/o error, link")) }, async () => {
      await assert.rejects(acquireLock(path), /^Error: Cannot lock .*: EIO/);
    });
    assert.deepEqual(await readdir(dir), []);
    // no hard links (vfat) and the O_EXCL lock's write fails: that half-written lock goes as well
    const noLinks = () => Promise.reject(errno("EPERM", "EPERM: operation not permitted, link"));
    const fullForLock = (async (...args: Parameters<typeof realOpen>) => {
      const h = await realOpen(...args);
      if (args[0] === path) h.writeFile = () => Promise.reject(errno("ENOSPC", "ENOSPC: no space left"));
      return h;
    }) as typeof realOpen;
    await withFiles({ link: noLinks, open: fullForLock }, async () => {
      await assert.rejects(acquireLock(path), NoSpaceError);
    });
    assert.deepEqual(await readdir(dir), []);
    await withFiles({ link: noLinks }, async () => {
      const lock = await acquireLock(path);
      assert.deepEqual(await readdir(dir), ["lock"]);
      await lock.release();
    });
  });
});

Deno.test("the lock's content is fsynced before it is linked into place", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "lock");
    const steps: string[] = [];
    const realOpen = lockFiles.open, realLink = lockFiles.link;
    const open = (async (...args: Parameters<typeof realOpen>) => {
      const h = await realOpen(...args);
      const sync = h.sync.bind(h);
      h.sync = () => (steps.push("sync"), sync());
      return h;
    }) as typeof realOpen;
    const link = ((a, b) => (steps.push("link"), realLink(a, b))) as typeof realLink;
    await withFiles({ open, link }, async () => {
      const lock = await acquireLock(path);
      await lock.release();
    });
    assert.deepEqual(steps, ["sync", "link"]);
  });
});
