/**
 * The app lock: `<target>/<app>/.drover-lock` (`device/fs/lock.ts`: pid + start time, a dead holder's
 * lock taken over). Whatever changes an app's releases or links holds it: an install from its staging
 * through the switch and the health check (and the switch back), `rollback`, the recovery of a dangling
 * `current`, and `gc` while it prunes the app. So `gc` never sees a release that is staged or renamed
 * into `releases/` but not switched to yet, nor prunes `previous` while a health check may switch back
 * to it, whether or not it was given the workspace. Locks are taken in one order, the workspace lock
 * first, so two commands never wait on each other.
 *
 * @example
 * ```ts
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { lockApp } from "./app_lock.ts";
 * const dir = await mkdtemp(join(tmpdir(), "app-"));
 * await using _lock = await lockApp(dir, { waitSeconds: 1 });
 * await rm(dir, { recursive: true });
 * ```
 * @module
 */
import { join } from "node:path";
import { acquireLock, type Lock } from "../fs/lock.ts";

/** The app lock's file name in the app directory. */
export const APP_LOCK_FILE = ".drover-lock";

/**
 * How long an install waits for its app's lock by default: `gc` holds it while it prunes that app,
 * another install through its health check.
 */
export const APP_LOCK_WAIT_SECONDS = 60;

/**
 * Takes the lock of the app in `appDir` (which must exist). Busy: waits up to `waitSeconds` (default
 * 0), then throws `TransientError` (exit 75).
 */
export function lockApp(
  appDir: string,
  options: { waitSeconds?: number; signal?: AbortSignal } = {},
): Promise<Lock> {
  return acquireLock(join(appDir, APP_LOCK_FILE), options);
}
