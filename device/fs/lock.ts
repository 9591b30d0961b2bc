/**
 * The workspace lock: `<workspace>/lock` holds the holder's pid and process start time. Created
 * atomically with its content (a temp file hard-linked into place, or O_EXCL where links are not
 * supported). A lock whose pid is dead, or whose pid was reused by another process (different
 * start time in `/proc/<pid>/stat`), is stale and taken over; a live one is busy.
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
import { link, open, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { TransientError } from "../../core/errors.ts";

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

async function tryCreate(path: string, body: string): Promise<boolean> {
  const tmp = `${path}.new-${process.pid}-${randomBytes(4).toString("hex")}`;
  await writeFile(tmp, body, { mode: 0o644 });
  try {
    await link(tmp, path);
    return true;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "EEXIST") return false;
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP") throw error;
    // no hard links here (vfat): O_EXCL create; a reader may briefly see it empty (treated as busy)
    try {
      const h = await open(path, "wx");
      await h.writeFile(body);
      await h.close();
      return true;
    } catch (e) {
      if ((e as { code?: string }).code === "EEXIST") return false;
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

/** An unparseable lock (crash between O_EXCL create and write) is stale after 10 s. */
async function unreadableForLong(path: string): Promise<boolean> {
  const s = await stat(path).catch(() => undefined);
  return s !== undefined && Date.now() - s.mtimeMs > 10_000;
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
    if (await tryCreate(path, body)) return heldLock(path, info, body);
    const text = await readFile(path, "utf8").catch(() => undefined);
    if (text === undefined) continue; // released meanwhile
    const holder = parseInfo(text);
    const stale = holder ? !isAlive(holder) : await unreadableForLong(path);
    if (stale) {
      await breakStale(path, text);
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
