/**
 * Finishes an install that was interrupted after its switch (its pending record is still there but
 * `current` already has its commit): under the app lock (`app_lock.ts`), runs the health check, if
 * any, on the current release; on failure switches `current` back to `previous` and removes the
 * release (a first install: back to nothing installed).
 *
 * @example
 * ```ts ignore
 * import { confirmInstalled } from "./confirm_installed.ts";
 * const r = await confirmInstalled("/opt/apps/radio", { deploy, expected: {}, healthCmd: "./bin/selftest" });
 * ```
 * @module
 */
import { realpath } from "node:fs/promises";
import { join } from "node:path";
import { normalisedLink, removeLink, removeRelease, switchLink } from "../fs/symlink.ts";
import { checkHealth, since } from "./_health.ts";
import { APP_LOCK_WAIT_SECONDS, lockApp } from "./app_lock.ts";
import type { InstallOptions, InstallResult } from "./install_release.ts";

/** Confirms the current release of the app in `appDir` (see the module doc). */
export async function confirmInstalled(appDir: string, options: InstallOptions): Promise<InstallResult> {
  await using _lock = await lockApp(appDir, {
    waitSeconds: options.lockWaitSeconds ?? APP_LOCK_WAIT_SECONDS,
    signal: options.signal,
  });
  const current = await normalisedLink(appDir, "current");
  const previous = await normalisedLink(appDir, "previous");
  const id = current?.split("/").pop() ?? "";
  const previousId = previous?.split("/").pop();
  if (!options.healthCmd || !current) return { status: "installed", release: id, previous: previousId };
  const releasePath = await realpath(join(appDir, "current"));
  const healthError = await checkHealth(releasePath, options.deploy.name, options);
  if (healthError === undefined) return { status: "installed", release: id, previous: previousId };
  const rollbackStart = performance.now();
  if (previous && previous !== current) {
    await switchLink(appDir, "current", previous);
    await removeLink(appDir, "previous");
    if (current === `releases/${id}`) await removeRelease(join(appDir, "releases"), id);
  } else if (!previous && current === `releases/${id}`) {
    // a first install: back to nothing installed
    await removeLink(appDir, "current");
    await removeRelease(join(appDir, "releases"), id);
  }
  await options.onStage?.({ stage: "rollback", durationMs: since(rollbackStart) });
  return { status: "health-failed", release: id, previous: previousId, healthError };
}
