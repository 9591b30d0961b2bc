/**
 * Private: the fleet summary of the SQL fleet store, read in one snapshot from the counts the schema
 * keeps up to date (`device_counts`, `app_counts`; see `migrations.ts`) and a count of the devices
 * seen recently.
 */
import type { FleetSummary } from "./fleet_store.ts";
import { toSummary } from "./_rows.ts";
import type { SqlDriver } from "./_sql.ts";
import { timeOf } from "./_store_checks.ts";

const DAY_MS = 24 * 3600_000;

/** `FleetStore.summary` over `db`: devices not seen for `staleAfterMs` (default a day) are stale. */
export async function fleetSummary(
  db: SqlDriver,
  options: { now?: Date; staleAfterMs?: number } = {},
): Promise<FleetSummary> {
  const now = timeOf(options.now, "summarize fleet");
  const staleAfterMs = options.staleAfterMs ?? DAY_MS;
  if (!Number.isSafeInteger(staleAfterMs) || staleAfterMs < 0) {
    throw new RangeError("Cannot summarize fleet: 'staleAfterMs' must be a non-negative integer");
  }
  const since = now - staleAfterMs;
  const [counts = [], seen = [], apps = []] = await db.batch([
    { sql: "SELECT kind, key, devices FROM device_counts" },
    { sql: "SELECT count(*) AS n FROM devices WHERE last_seen >= ?1", params: [since] },
    {
      sql: "SELECT name, ref, commit_id, devices FROM app_counts ORDER BY name, ref, devices DESC, commit_id",
    },
  ], { readOnly: true });
  return toSummary({ counts, seen, apps }, { now, since });
}
