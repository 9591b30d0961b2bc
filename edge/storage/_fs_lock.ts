/**
 * Private: the repository directory's lock file (`<root>/.lock`) for {@linkcode FsStorage}: the
 * same file and format as the repository builder's lock (`drover-repo` takes it with
 * `device/fs/lock.ts`), so publishes through the edge, timestamp renewals and `repo add-app` on one
 * directory never interleave, whichever process runs them. It holds `{pid, start, host, at}` and is
 * created whole (a temp file hard-linked into place); a lock whose pid is dead, or reused (another
 * start time in `/proc/<pid>/stat`), is stale and taken over. A live holder is waited for up to
 * `waitMs`, then `TransientError` (503, try later).
 */
import { readFileSync } from "node:fs";
import { link, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import process from "node:process";
import { TransientError } from "../../core/errors.ts";

/** A held lock. */
export interface HeldLock {
  /** Removes the lock file if it is still ours (idempotent). */
  release(): Promise<void>;
}

interface LockInfo {
  pid: number;
  start: string | null;
  host: string;
  at: string;
}

function processStart(pid: number): string | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    return text.slice(text.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

/**
 * Whether the holder runs: by procfs where there is one (the edge runs without permission to signal
 * processes), else by signal 0 (a refused signal counts as alive).
 */
function alive(info: LockInfo): boolean {
  if (!Number.isSafeInteger(info.pid) || info.pid <= 0) return false;
  if (PROCFS) {
    const start = processStart(info.pid);
    return start !== null && (info.start === null || start === info.start);
  }
  try {
    process.kill(info.pid, 0);
  } catch (error) {
    if ((error as { code?: string }).code === "ESRCH") return false;
  }
  return true;
}

const PROCFS = processStart(process.pid) !== null;

/** The host name, informative only (the edge may run without permission to read it). */
function hostName(): string {
  try {
    return hostname();
  } catch {
    return "unknown";
  }
}

function parse(text: string): LockInfo | undefined {
  try {
    const v = JSON.parse(text);
    if (typeof v?.pid === "number" && typeof v?.host === "string") return v as LockInfo;
  } catch { /* unreadable */ }
  return undefined;
}

async function tryCreate(path: string, body: string): Promise<boolean> {
  const temp = `${path}.new-${process.pid}-${crypto.randomUUID()}`;
  await writeFile(temp, body, { mode: 0o644 });
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === "EEXIST") return false;
    throw error;
  } finally {
    await unlink(temp).catch(() => {});
  }
}

/** Moves a stale lock aside unless it changed since it was judged stale (then it is put back). */
async function breakStale(path: string, staleText: string): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${crypto.randomUUID()}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return;
    throw error;
  }
  const moved = await readFile(aside, "utf8").catch(() => "");
  if (moved !== staleText) await link(aside, path).catch(() => {});
  await unlink(aside).catch(() => {});
}

/** Takes the lock file at `path`, waiting up to `waitMs` for a live holder. */
export async function lockFile(path: string, options: { waitMs: number }): Promise<HeldLock> {
  const info: LockInfo = {
    pid: process.pid,
    start: processStart(process.pid),
    host: hostName(),
    at: new Date().toISOString(),
  };
  const body = JSON.stringify(info) + "\n";
  const deadline = Date.now() + options.waitMs;
  let delay = 20;
  for (;;) {
    if (await tryCreate(path, body)) break;
    const text = await readFile(path, "utf8").catch(() => undefined);
    if (text === undefined) continue; // released meanwhile
    const holder = parse(text);
    const stale = holder
      ? !alive(holder)
      : Date.now() - ((await stat(path).catch(() => undefined))?.mtimeMs ?? Date.now()) > 10_000;
    if (stale) {
      await breakStale(path, text);
      continue;
    }
    if (Date.now() >= deadline) {
      const who = holder ? `pid ${holder.pid} since ${holder.at}` : "another process";
      throw new TransientError(`Cannot lock the repository: ${path} is held by ${who}`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, Math.max(1, deadline - Date.now()))));
    delay = Math.min(delay * 2, 500);
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      if (await readFile(path, "utf8").catch(() => undefined) === body) await unlink(path).catch(() => {});
    },
  };
}
