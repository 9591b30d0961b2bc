/**
 * Private to device/commands: `update` and `install` first recover the apps whose `current` points at
 * a release that does not exist (`recover_app.ts`: back to a valid `previous`, else nothing installed,
 * so the offered release is installed as a first install), loudly: a warning on stderr (also with
 * `--json`), the document's `recovered`, and the app's `lastError` in status.json (code `E_APP`) until
 * a later run succeeds for it.
 * @module
 */
import type { CommandIO } from "../cli/command.ts";
import type { ErrorEntry } from "../cli/define_command.ts";
import { scanApps } from "../app/scan_apps.ts";
import { appKey } from "../app/app_key.ts";
import { APP_LOCK_WAIT_SECONDS } from "../app/app_lock.ts";
import { recoverApp, type Recovery } from "../app/recover_app.ts";
import { writeStatus } from "../app/status_writer.ts";
import type { Workspace } from "../fs/workspace.ts";

/** A recovery as the `--json` documents show it: the app's key, and what was done. */
export type RecoveredApp = Omit<Recovery, "name"> & { app: string };

/** Recovers every damaged app of `target` (the caller holds the workspace lock). */
export async function recoverDamaged(target: string, io: CommandIO): Promise<RecoveredApp[]> {
  const scan = await scanApps(target).catch(() => undefined); // the check reports a missing target
  const out: RecoveredApp[] = [];
  for (const app of scan?.apps.filter((a) => a.damaged) ?? []) {
    const key = appKey(app);
    try {
      const r = await recoverApp(app.dir, { waitSeconds: APP_LOCK_WAIT_SECONDS, signal: io.signal });
      if (!r) continue;
      const { name: _, ...rest } = r;
      out.push({ ...rest, app: key });
      io.stderr(`warning: ${key}: ${r.message}\n`);
    } catch (error) {
      io.stderr(`warning: ${key}: Cannot recover: ${(error as Error).message}\n`);
    }
  }
  return out;
}

/** Records each recovery as its app's `lastError`, unless the run failed for that app (its error stays). */
export async function noteRecovered(
  ws: Workspace,
  o: { target: string; recovered: RecoveredApp[]; errors: ErrorEntry[] },
): Promise<void> {
  const failed = new Set(o.errors.map((e) => e.app));
  const notes = o.recovered.filter((r) => !failed.has(r.app)).map((r) =>
    [r.app, { code: "E_APP", message: r.message }] as const
  );
  if (notes.length) await writeStatus(ws, { target: o.target, appErrors: new Map(notes) });
}
