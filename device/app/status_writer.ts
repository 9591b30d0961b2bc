/**
 * The one writer of `<workspace>/status.json`. Each app's entry is derived from what is on disk:
 * `ref`, `current` and `previous` from a scan of the target, `pending` from the pending records;
 * what only the workspace remembers (commits marked bad, the last error of each app, the last
 * check, install and gc) is carried over from the previous `status.json` and changed by the run
 * being recorded. Entries of apps not found in the target (removed, or broken for now) are kept as
 * they were, so their bad commits are not forgotten. Entries are keyed by the app's key (`app_key.ts`:
 * the name, or `name@ref` where the target holds the name on more than one ref); when an app's key
 * changes (a second ref appears beside it, or goes), its entry moves to the new key. A run interrupted
 * by a signal (`E_INTERRUPTED`, `device/cli/interrupted_error.ts`) is no error of the apps it stopped:
 * their `lastError` stays as it was (the run's record, `lastInstall` or `lastCheck`, says it was
 * interrupted).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { Workspace } from "../fs/workspace.ts";
 * import { writeStatus } from "./status_writer.ts";
 * const dir = await mkdtemp(join(tmpdir(), "status-"));
 * const ws = new Workspace(join(dir, "ws"));
 * await ws.init();
 * const status = await writeStatus(ws, { target: dir, run: { kind: "check", at: new Date().toISOString(), errors: [] } });
 * assert.equal(status.lastCheck?.ok, true);
 * await rm(dir, { recursive: true });
 * ```
 * @module
 */
import { NotFoundError } from "../../core/errors.ts";
import type { AppStatus, RunRecord, Status, Workspace } from "../fs/workspace.ts";
import { type App, scanApps } from "./scan_apps.ts";
import { appKey, entryOf } from "./app_key.ts";
import { recordsOf } from "./app_records.ts";

/** An error as status.json keeps it. */
export interface StatusError {
  code: string;
  message: string;
}

/** What a run changes besides what is on disk. */
export interface StatusChange {
  /** The apps directory (scanned now unless `scan` is given). */
  target: string;
  /** A scan of `target` taken after the run's last change to it. */
  scan?: { apps: App[] };
  /** The run to record (`lastCheck`, `lastInstall`, `lastGc`): when it started, its errors (ok without). */
  run?: { kind: "check" | "install" | "gc"; at: string; errors: readonly StatusError[] };
  /**
   * Per app key: the run's error (kept as `lastError`; an interruption, `E_INTERRUPTED`, leaves it as it
   * was), or `null` when the run succeeded for it (cleared).
   */
  appErrors?: ReadonlyMap<string, StatusError | null>;
  /** Commits to mark bad (failed health check, rolled back from); `name` is the app's key. */
  bad?: readonly { name: string; commit: string }[];
  /** Commits no longer bad (the release `rollback` returned to), taken off before `bad` is applied. */
  good?: readonly { name: string; commit: string }[];
}

const RUN_KEYS = { check: "lastCheck", install: "lastInstall", gc: "lastGc" } as const;

/** The code of an interruption (`InterruptedError`): a signal stopped the run, not the app's error. */
const INTERRUPTED = "E_INTERRUPTED";

function runRecord(at: string, errors: readonly StatusError[]): RunRecord {
  const first = errors[0];
  return first ? { at, ok: false, error: { code: first.code, message: first.message } } : { at, ok: true };
}

async function scanOf(change: StatusChange): Promise<App[] | undefined> {
  if (change.scan) return change.scan.apps;
  try {
    return (await scanApps(change.target)).apps;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined; // no target: the entries stay as they were
    throw error;
  }
}

/**
 * Writes `status.json` from disk and `change` (the caller holds the workspace lock); returns it.
 */
export async function writeStatus(ws: Workspace, change: StatusChange): Promise<Status> {
  const apps = await scanOf(change);
  const records = recordsOf(apps ?? [], (await ws.readPending()).manifests);
  const at = change.run?.at ?? new Date().toISOString();
  return await ws.updateStatus((status) => {
    if (change.run) status[RUN_KEYS[change.run.kind]] = runRecord(change.run.at, change.run.errors);
    for (const app of apps ?? []) {
      const key = appKey(app);
      const { entry: before, from } = entryOf(status.apps, app); // moved when the key changed
      if (from !== key) delete status.apps[from];
      const entry: AppStatus = {
        ref: app.ref,
        current: app.commit,
        previous: app.previous?.deploy?.commit ?? null,
        bad: Array.isArray(before?.bad) ? [...before.bad] : [],
      };
      const commit = records.get(app)?.commit;
      if (commit) entry.pending = commit;
      if (before?.lastError) entry.lastError = before.lastError;
      status.apps[key] = entry;
    }
    for (const { name, commit } of change.good ?? []) {
      const entry = status.apps[name];
      if (entry && Array.isArray(entry.bad)) {
        entry.bad = entry.bad.filter((c) => c.toLowerCase() !== commit.toLowerCase());
      }
    }
    for (const { name, commit } of change.bad ?? []) {
      const entry = status.apps[name];
      if (!entry) continue;
      entry.bad = Array.isArray(entry.bad) ? entry.bad : [];
      if (!entry.bad.includes(commit)) entry.bad.push(commit);
    }
    for (const [name, error] of change.appErrors ?? []) {
      const entry = status.apps[name];
      if (!entry || error?.code === INTERRUPTED) continue;
      if (error) entry.lastError = { at, code: error.code, message: error.message };
      else delete entry.lastError;
    }
  });
}
