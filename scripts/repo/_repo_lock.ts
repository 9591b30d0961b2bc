/**
 * Private: the repository's lock, `<repo>/.lock` (`device/fs/lock.ts`: pid and process start time,
 * created whole; a lock whose process is gone is taken over). Every `repo` command that changes
 * metadata holds it across its read-modify-write, and the Deno edge takes the same file
 * (`edge/storage/fs_storage.ts`) to publish or renew, so no two of them interleave on one directory
 * and none reports a release it did not keep. A held lock is waited for up to `--lock-wait SECONDS`
 * (env `DROVER_REPO_LOCK_WAIT`, default 120), then `TransientError`: exit 75, try later.
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { TransientError } from "../../core/errors.ts";
import type { CommandIO } from "../../device/cli/command.ts";
import { optional, type Parsed } from "../../device/cli/define_command.ts";
import { UsageError } from "../../device/cli/usage_error.ts";
import { acquireLock, type Lock } from "../../device/fs/lock.ts";

/** Default `--lock-wait` in seconds. */
export const LOCK_WAIT_SECONDS = 120;

/** Seconds to wait for the lock: `--lock-wait`, env `DROVER_REPO_LOCK_WAIT`, else the default. */
export function lockWaitSeconds(parsed: Parsed, io?: CommandIO): number {
  const raw = optional(parsed, "lock-wait", { io, envName: "DROVER_REPO_LOCK_WAIT" });
  if (raw === undefined) return LOCK_WAIT_SECONDS;
  const seconds = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(seconds) || seconds < 0) {
    throw new UsageError(`--lock-wait needs a number of seconds >= 0, not '${raw}'`);
  }
  return seconds;
}

/** Takes `<dir>/.lock`, saying on stderr when it waits for another holder. */
export async function lockRepo(dir: string, options: { parsed: Parsed; io?: CommandIO }): Promise<Lock> {
  const { parsed, io } = options;
  const wait = lockWaitSeconds(parsed, io);
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new Error(`Cannot open repository ${dir}: no such directory`);
  const path = join(dir, ".lock");
  try {
    return await acquireLock(path);
  } catch (error) {
    if (!(error instanceof TransientError) || wait === 0) throw busy(error, { dir, wait });
    io?.stderr(`waiting up to ${wait} s for the repository lock (${holder(error)})\n`);
  }
  try {
    return await acquireLock(path, { waitSeconds: wait, signal: io?.signal });
  } catch (error) {
    throw busy(error, { dir, wait });
  }
}

const holder = (error: TransientError) => error.message.replace(/^Cannot lock [^:]*: /, "");

function busy(error: unknown, at: { dir: string; wait: number }): unknown {
  if (!(error instanceof TransientError)) return error;
  return new TransientError(
    `Cannot lock repository ${at.dir}: ${holder(error)} (another repo command or edge is writing it; ` +
      `waited ${at.wait} s, try again later or raise --lock-wait)`,
    { cause: error },
  );
}
