/**
 * The workspace lock: `<workspace>/lock` holds the holder's pid and process start time. Created
 * atomically with its content, fsynced (a temp file hard-linked into place, or O_EXCL where links
 * are not supported; the temp file is removed whatever fails). A lock whose pid is dead, or whose pid
 * was reused by another process (different start time in `/proc/<pid>/stat`), is stale and taken
 * over; a live one is busy; an unparseable one is stale once its mtime is 10 s from now, either way.
 * A full or read-only workspace is `NoSpaceError` / `ReadOnlyError` (`Cannot lock <path>: …`).
 *
 * @example
 * ```ts
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { acquireLock } from "./lock.ts";
 * const dir = await mkdtemp(join(tmpdir(), "lock-"));
 * const lock = await acquireLock(join(dir, "lock"));
 * await lock.release();
 * await rm(dir, { recursive: true });
 * ```
 * @module
 */
import { link, readFile, rename, stat, unlink } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { TransientError } from "../../core/errors.ts";
import { storageErrorOf } from "./storage_error.ts";
import { lockFiles } from "./_lock_files.ts";

/** What a lock file holds. */
export interface LockInfo {
  pid: number;
  /** Field 22 of `/proc/<pid>/stat` (clock ticks since boot), `null` where there is no procfs. */
  start: string | null;
  host: string;
  at: string;
}

/** A held lock. */
export interface Lock {
  readonly path: string;
  readonly info: LockInfo;
  /** Removes the lock file if it is still ours. Idempotent. */
  release(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Start time of a process from procfs, or `null` when unknown. */
function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19] ?? null; // field 22 overall; fields[0] is field 3
  } catch {
    return null;
  }
}

function isAlive(info: LockInfo): boolean {
  if (!Number.isSafeInteger(info.pid) || info.pid <= 0) return false;
  // `host` is informative only: a device's hostname may change (first-boot naming) and a lock
  // must never outlive its process because of that. Workspaces are local, not shared.
  try {
    process.kill(info.pid, 0);
  } catch (error) {
    if ((error as { code?: string }).code === "ESRCH") return false;
  }
  if (info.start === null) return true;
  const start = processStart(info.pid);
  return start === null || start === info.start;
}

function parseInfo(text: string): LockInfo | undefined {
  try {
    const v = JSON.parse(text);
    if (typeof v?.pid === "number" && typeof v?.host === "string") return v as LockInfo;
  } catch { /* fall through */ }
  return undefined;
}

/**
 * Creates `path` (O_EXCL) holding `body`, fsynced: a power cut never leaves it empty. A failed
 * write removes the file it created (never left behind half-written).
 */
async function createSynced(path: string, body: string): Promise<void> {
  const h = await lockFiles.open(path, "wx", 0o644);
  try {
    await h.writeFile(body);
    await h.sync();
  } catch (error) {
    await h.close().catch(() => {});
    await unlink(path).catch(() => {});
    throw error;
  }
  await h.close();
}

/**
 * Creates the lock with its content at once: a temp file hard-linked into place (O_EXCL where
 * there are no hard links). Whatever fails, the temp file goes.
 */
async function tryCreate(path: string, body: string): Promise<boolean> {
  const tmp = `${path}.new-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await createSynced(tmp, body);
    await lockFiles.link(tmp, path);
    return true;
  } catch (error) {
    let code = (error as { code?: string }).code;
    if (code === "EEXIST") return false;
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP") throw error;
    // no hard links here (vfat): O_EXCL create; a reader may briefly see it empty (treated as busy)
    try {
      await createSynced(path, body);
      return true;
    } catch (e) {
      code = (e as { code?: string }).code;
      if (code === "EEXIST") return false;
      throw e;
    }
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

/** Moves a stale lock aside, unless it changed since it was judged stale (then puts it back). */
async function breakStale(path: string, staleText: string): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return;
    throw error;
  }
  const moved = await readFile(aside, "utf8").catch(() => "");
  if (moved !== staleText) await link(aside, path).catch(() => {}); // took a fresh lock: give it back
  await unlink(aside).catch(() => {});
}

/**
 * An unparseable lock (a crash between O_EXCL create and write, or a power cut before its content
 * reached the disk) is stale once its mtime is over 10 s away from now either way: one in the future
 * (written while the clock was ahead, before NTP set it back) would otherwise never age.
 */
async function unreadableForLong(path: string): Promise<boolean> {
  const s = await stat(path).catch(() => undefined);
  return s !== undefined && Math.abs(Date.now() - s.mtimeMs) > 10_000;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });

/**
 * Takes the lock at `path`. Busy -> waits up to `waitSeconds` (default 0), then throws
 * `TransientError` (exit code 75). Stale locks (dead pid, reused pid) are taken over.
 *
 * @example
 * ```ts
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { acquireLock } from "./lock.ts";
 * const dir = await mkdtemp(join(tmpdir(), "lock-"));
 * await using _lock = await acquireLock(join(dir, "lock"), { waitSeconds: 1 });
 * await rm(dir, { recursive: true });
 * ```
 */
export async function acquireLock(
  path: string,
  options: { waitSeconds?: number; signal?: AbortSignal } = {},
): Promise<Lock> {
  const wait = options.waitSeconds ?? 0;
  if (!(wait >= 0)) throw new RangeError(`Cannot lock ${path}: waitSeconds must be >= 0`);
  const deadline = Date.now() + wait * 1000;
  const info: LockInfo = {
    pid: process.pid,
    start: processStart(process.pid),
    host: hostname(),
    at: new Date().toISOString(),
  };
  const body = JSON.stringify(info) + "\n";
  let delay = 50;
  for (;;) {
    if (await tryCreate(path, body).catch((e) => fail(path, e))) return heldLock(path, info, body);
    const text = await readFile(path, "utf8").catch((e) => {
      if ((e as { code?: string }).code === "ENOENT") return undefined; // released meanwhile
      return fail(path, e); // a directory, unreadable: never spin on it
    });
    if (text === undefined) continue;
    const holder = parseInfo(text);
    const stale = holder ? !isAlive(holder) : await unreadableForLong(path);
    if (stale) {
      await breakStale(path, text).catch((e) => fail(path, e));
      continue;
    }
    if (options.signal?.aborted || Date.now() >= deadline) {
      const who = holder ? `pid ${holder.pid} since ${holder.at}` : "another process";
      throw new TransientError(`Cannot lock ${path}: held by ${who}`);
    }
    await sleep(Math.min(delay, Math.max(1, deadline - Date.now())), options.signal);
    delay = Math.min(delay * 2, 1000);
  }
}

/** Throws `error` as `Cannot lock <path>: …` (a full or read-only workspace: a named error). */
function fail(path: string, error: unknown): never {
  throw storageErrorOf(error, { action: `lock ${path}`, path: dirname(path) }) ??
    new Error(`Cannot lock ${path}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}

function heldLock(path: string, info: LockInfo, body: string): Lock {
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    const text = await readFile(path, "utf8").catch(() => undefined);
    if (text === body) await unlink(path).catch(() => {});
  };
  return { path, info, release, [Symbol.asyncDispose]: release };
}
