/**
 * Recovers an app whose `current` points at a release that does not exist (`App.damaged`: a release
 * removed by hand, a damaged card, a crash in an older version): under the app lock (`app_lock.ts`),
 * `current` is switched back to a valid `previous` in the app's own `releases/` (and `previous`
 * removed: it is current now); without one, the dangling `current` (and a `previous` that is no release
 * of the app) is removed, so the app is registered with nothing installed and the next install takes
 * the offered release as a first install. A link is never pointed anywhere but at a release in the
 * app's `releases/` whose `.deploy` names the app; nothing is deleted but the two links.
 *
 * @example
 * ```ts ignore
 * import { readApp } from "./scan_apps.ts";
 * import { recoverApp } from "./recover_app.ts";
 * const app = await readApp("/opt/apps/radio");
 * const recovery = app?.damaged ? await recoverApp(app.dir) : undefined;
 * console.log(recovery?.message);
 * ```
 * @module
 */
import { normalisedLink, removeLink, switchLink } from "../fs/symlink.ts";
import { lockApp } from "./app_lock.ts";
import { readApp } from "./scan_apps.ts";

/** What {@linkcode recoverApp} did. */
export interface Recovery {
  /** The app's name and ref. */
  name: string;
  ref: string;
  /** The dangling link text `current` had. */
  from: string;
  /** The release id `current` points to now; `null`: nothing installed (the app is registered). */
  to: string | null;
  /** Its commit (`null` with `to`). */
  commit: string | null;
  /** What was wrong and what was done, for the operator. */
  message: string;
}

/**
 * Repairs the damaged app in `appDir` (see the module doc); `undefined` when it is not damaged (any
 * more). Takes the app lock (busy: waits up to `waitSeconds`, then `TransientError`) unless the caller
 * holds it (`locked`).
 */
export async function recoverApp(
  appDir: string,
  options: { waitSeconds?: number; signal?: AbortSignal; locked?: boolean } = {},
): Promise<Recovery | undefined> {
  await using _lock = options.locked ? undefined : await lockApp(appDir, options);
  const app = await readApp(appDir); // under the lock: what is there now
  if (!app?.damaged) return undefined;
  const base = { name: app.name, ref: app.ref, from: app.damaged.link };
  const previousLink = app.previous ? await normalisedLink(app.dir, "previous") : undefined;
  if (app.previous?.deploy && previousLink === `releases/${app.previous.id}`) {
    await switchLink(app.dir, "current", previousLink);
    await removeLink(app.dir, "previous");
    const commit = app.previous.deploy.commit.toLowerCase();
    return {
      ...base,
      to: app.previous.id,
      commit,
      message: `${app.damaged.message}: switched back to the previous release ${app.previous.id} (${commit})`,
    };
  }
  await removeLink(app.dir, "current");
  await removeLink(app.dir, "previous");
  return {
    ...base,
    to: null,
    commit: null,
    message:
      `${app.damaged.message} and there is no previous release to go back to: nothing is installed now`,
  };
}
