/**
 * `drover rollback --app NAME`: swap `current` and `previous` (each switched atomically; `current`
 * first, so what runs changes in one step), under the app lock (`app_lock.ts`). With a workspace, its
 * lock is taken first, the commit rolled back from is marked bad, so the next update does not install
 * it again (a newer commit is installed as usual), and the commit rolled back to is no longer bad (it
 * runs now: a second rollback, an undo, leaves only the other marked). A `current` pointing at a
 * release that does not exist goes back to a valid `previous` (`recover_app.ts`); nothing is marked.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { command } from "./rollback.ts";
 * const out: string[] = [];
 * const code = await command.run(["--help"], { stdout: (t) => out.push(t), stderr: () => {}, env: {}, stderrIsTTY: false });
 * assert.ok(code === 0 && out.join("").startsWith("Usage: drover rollback "));
 * ```
 * @module
 */
import { basename } from "node:path";
import { NotFoundError } from "../../core/errors.ts";
import { type App, readApp, scanApps } from "../app/scan_apps.ts";
import { lockApp } from "../app/app_lock.ts";
import { recoverApp } from "../app/recover_app.ts";
import { appKey, refKey } from "../app/app_key.ts";
import { UsageError } from "../cli/usage_error.ts";
import { writeStatus } from "../app/status_writer.ts";
import { defineCommand, optional, required } from "../cli/define_command.ts";
import { normalisedLink, switchLink } from "../fs/symlink.ts";
import { Workspace } from "../fs/workspace.ts";
import {
  HELP_COMMON,
  HELP_LOCK,
  HELP_TARGET,
  HELP_WORKSPACE,
  LOCKING,
  logger,
  printJson,
  TARGET,
  targetOf,
  waitOf,
  WORKSPACE,
} from "./_shared.ts";

/** The `rollback --json` document. */
export interface RollbackReport {
  command: "rollback";
  ok: boolean;
  exitCode: number;
  app: string;
  /** `commit: null`: `current` pointed at a release that does not exist. */
  from: { release: string; commit: string | null };
  to: { release: string; commit: string | null };
  /** Commit marked bad in status.json (`null` without a workspace, or when nothing was marked). */
  markedBad: string | null;
}

/** Swaps `current` and `previous` of `app` (read under its lock), or recovers it when damaged. */
async function swap(app: App): Promise<Omit<RollbackReport, "command" | "ok" | "exitCode" | "markedBad">> {
  if (app.damaged) {
    if (!app.previous) {
      throw new NotFoundError(
        `Cannot roll back ${app.name}: ${app.damaged.message} and there is no previous release`,
      );
    }
    const r = await recoverApp(app.dir, { locked: true });
    if (!r?.to) throw new Error(`Cannot roll back ${app.name}: ${app.damaged.message}`);
    return {
      app: app.name,
      from: { release: basename(r.from), commit: null },
      to: { release: r.to, commit: r.commit },
    };
  }
  if (!app.current || app.commit === null) {
    throw new NotFoundError(`Cannot roll back ${app.name}: nothing installed yet`);
  }
  const currentLink = await normalisedLink(app.dir, "current");
  const previousLink = await normalisedLink(app.dir, "previous");
  if (!app.previous || !previousLink || !currentLink) {
    throw new NotFoundError(`Cannot roll back ${app.name}: no previous release`);
  }
  if (app.previous.path === app.current.path) {
    throw new NotFoundError(`Cannot roll back ${app.name}: previous is the current release`);
  }
  if (!app.previous.deploy) {
    throw new Error(`Cannot roll back ${app.name}: previous release has no valid .deploy`);
  }
  await switchLink(app.dir, "current", previousLink);
  await switchLink(app.dir, "previous", currentLink);
  return {
    app: app.name,
    from: { release: app.current.id, commit: app.commit },
    to: { release: app.previous.id, commit: app.previous.deploy.commit.toLowerCase() },
  };
}

/** `drover rollback`. */
export const command = defineCommand({
  name: "rollback",
  summary: "swap current and previous of one app",
  help: "Usage: drover rollback --target DIR --app NAME [--workspace DIR] [--json]\n\n" +
    "Points `current` at the previous release and `previous` at the one that was current. With a\n" +
    "workspace, takes its lock and marks the commit rolled back from as bad: updates skip it until a newer\n" +
    "commit appears; the commit rolled back to is no longer bad. A `current` pointing at a release that\n" +
    "does not exist goes back to `previous`.\n\nOptions:\n" + HELP_TARGET +
    "  --app NAME            the app (owner/app, as in .deploy), or its directory; NAME@REF where\n" +
    "                        the target holds the app on more than one ref\n" +
    HELP_WORKSPACE + HELP_LOCK + HELP_COMMON,
  options: { ...TARGET, ...WORKSPACE, ...LOCKING, app: { type: "string" } },
  async run(parsed, io) {
    const target = targetOf(parsed, io);
    const name = required(parsed, "app");
    const wsDir = optional(parsed, "workspace", { io, envName: "DROVER_WORKSPACE" });
    const ws = wsDir ? new Workspace(wsDir) : undefined;
    const wait = waitOf(parsed);
    if (ws) await ws.init();
    await using _lock = ws ? await ws.lock({ waitSeconds: wait, signal: io.signal }) : undefined;
    const { apps } = await scanApps(target);
    const named = apps.filter((a) => appKey(a) === name || a.name === name || a.dirName === name);
    const app = named.find((a) => appKey(a) === name || a.dirName === name) ?? named[0];
    if (!app) throw new NotFoundError(`Cannot roll back ${name}: no such app in ${target}`);
    if (named.length > 1 && app.name === name && appKey(app) !== name) {
      // which refs, and how to name one (the usage line drops `Cannot roll back: `)
      const listed = (list: string[], last: string) =>
        `${list.slice(0, -1).join(", ")} ${last} ${list.at(-1)}`;
      const refs = listed(named.map((a) => `${a.ref} (${a.dirName})`), "and");
      const choices = listed(named.map((a) => `--app ${refKey(a.name, a.ref)}`), "or");
      throw new UsageError(
        `Cannot roll back: ${name} is installed on refs ${refs}: choose one with ${choices} ` +
          "(or its directory name)",
      );
    }
    await using _appLock = await lockApp(app.dir, { waitSeconds: wait, signal: io.signal });
    const now = await readApp(app.dir); // under the lock: what is there now
    if (!now) throw new NotFoundError(`Cannot roll back ${name}: no such app in ${target}`);
    const done = await swap({ ...now, key: appKey(app) });
    const from = done.from.commit, to = done.to.commit;
    let markedBad: string | null = null;
    if (ws) {
      markedBad = from !== null && from !== to ? from : null;
      await writeStatus(ws, {
        target,
        bad: markedBad ? [{ name: appKey(app), commit: markedBad }] : [],
        good: to ? [{ name: appKey(app), commit: to }] : [],
      });
    }
    const report: RollbackReport = { command: "rollback", ok: true, exitCode: 0, ...done, markedBad };
    if (parsed.json) printJson(io, report);
    else {
      io.stdout(`${app.name}\t${done.from.release} -> ${done.to.release}\n`);
      if (now.damaged) logger(io, false)(`warning: ${now.damaged.message}: ${app.name} switched back`);
      else if (!ws) {
        logger(io, false)(`note: without --workspace, the next update may install ${from} again`);
      }
    }
    return 0;
  },
});
