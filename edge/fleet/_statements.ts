/**
 * Private: the SQL of the fleet store's writes and its list query. Statement text is constant
 * (the list query joins constant fragments); every value is a bound parameter. Inventories and
 * event batches travel as one JSON parameter, expanded by `json_each`, so a write is a fixed
 * number of statements whatever its size.
 *
 * A device's write is one transaction whose first statement updates the device's row and its
 * counter; the schema then refuses, and so aborts the whole transaction: a counter that does not
 * increase (the trigger's `E_REPLAY`), a device that may not be written (the counter is set to NULL,
 * which `NOT NULL` refuses; see {@linkcode WriteCondition}), a row of another table for a device
 * that does not exist (its foreign key). A write to an unknown device with no such row changes
 * nothing and returns no `devices` row.
 */
import type { Inventory, InventoryApp } from "../../core/fleet/inventory.ts";
import { isCommit } from "../../core/names/mod.ts";
import type { DeviceState } from "./fleet_store.ts";
import { DEVICE_COLUMNS } from "./_rows.ts";
import type { SqlStatement, SqlValue } from "./_sql.ts";

/** A report event as the `reports` insert reads it (`at` in ms). */
export interface EventRow {
  id: string;
  app: string;
  commit: string;
  stage: string;
  result: string;
  errorCode: string | null;
  message: string | null;
  bytes: number | null;
  durationMs: number | null;
  at: number;
}

/**
 * The counter a device's write stores, `?c`, when the device may be written: with key parameter `k`
 * bound, it must still have that public key and not be rejected. Else NULL, which the counter's
 * `NOT NULL` refuses ("NOT NULL constraint failed: devices.counter"), aborting the transaction.
 */
function counterIfWritable(c: string, k: string): string {
  return `CASE WHEN ${k} IS NULL OR (public_key = ${k} AND state <> 'rejected') THEN ${c} END`;
}

// Built once: the drivers cache prepared statements by their text.
const ADVANCE = `UPDATE devices SET counter = ${counterIfWritable("?2", "?4")}, last_seen = ?3
  WHERE id = ?1 RETURNING state`;
const CHECK_IN = `UPDATE devices SET counter = ${counterIfWritable("?2", "?7")}, last_seen = ?3,
  device_type = ?4, os_version = ?5, drover_version = ?6 WHERE id = ?1 RETURNING state`;

/** What a device's write requires of the device, besides its counter. */
export interface WriteCondition {
  /** The public key the request was verified with (`null`: none). */
  publicKey: string | null;
}

/** Make a device's labels exactly `labels`. */
export function labelStatements(id: string, labels: Record<string, string>): SqlStatement[] {
  const json = JSON.stringify(labels);
  return [
    {
      sql: "DELETE FROM device_labels WHERE device_id = ?1 AND key NOT IN (SELECT key FROM json_each(?2))",
      params: [id, json],
    },
    {
      sql:
        `INSERT INTO device_labels (device_id, key, value) SELECT ?1, key, value FROM json_each(?2) WHERE true
        ON CONFLICT (device_id, key) DO UPDATE SET value = excluded.value WHERE value IS NOT excluded.value`,
      params: [id, json],
    },
  ];
}

/**
 * Advance the counter (the trigger refuses one that does not increase; see
 * {@linkcode WriteCondition}) and mark the device seen; returns its state, so no row means no device.
 */
export function advanceStatement(
  id: string,
  options: { counter?: number; now: number } & Partial<WriteCondition>,
): SqlStatement {
  const { counter, now } = options;
  return counter === undefined
    ? { sql: "UPDATE devices SET last_seen = ?2 WHERE id = ?1 RETURNING state", params: [id, now] }
    : { sql: ADVANCE, params: [id, counter, now, options.publicKey ?? null] };
}

/** {@linkcode advanceStatement} for a check-in, storing the inventory's device type and versions too. */
export function checkInStatement(
  id: string,
  inventory: Pick<Inventory, "deviceType" | "osVersion" | "droverVersion">,
  options: { counter: number; now: number } & WriteCondition,
): SqlStatement {
  return {
    sql: CHECK_IN,
    params: [
      id,
      options.counter,
      options.now,
      inventory.deviceType,
      inventory.osVersion ?? null,
      inventory.droverVersion,
      options.publicKey,
    ],
  };
}

/** Make a device's apps exactly `apps` (unchanged rows are left alone, so counts do not churn). */
export function appStatements(id: string, apps: readonly InventoryApp[]): SqlStatement[] {
  const params = [id, JSON.stringify(apps)];
  return [
    {
      sql: `DELETE FROM device_apps WHERE device_id = ?1
        AND name NOT IN (SELECT json_extract(value, '$.name') FROM json_each(?2))`,
      params,
    },
    {
      sql: `INSERT INTO device_apps (device_id, name, ref, commit_id, serial, sha256, release_id)
        SELECT ?1, json_extract(value, '$.name'), json_extract(value, '$.ref'), json_extract(value, '$.commit'),
          json_extract(value, '$.serial'), json_extract(value, '$.sha256'), json_extract(value, '$.releaseId')
        FROM json_each(?2) WHERE true
        ON CONFLICT (device_id, name) DO UPDATE SET ref = excluded.ref, commit_id = excluded.commit_id,
          serial = excluded.serial, sha256 = excluded.sha256, release_id = excluded.release_id
        WHERE ref IS NOT excluded.ref OR commit_id IS NOT excluded.commit_id OR serial IS NOT excluded.serial
          OR sha256 IS NOT excluded.sha256 OR release_id IS NOT excluded.release_id`,
      params,
    },
  ];
}

/** Insert events, skipping ids the device already sent; `RETURNING` lists the new ones. */
export function reportStatement(
  id: string,
  events: readonly EventRow[],
  options: { now: number },
): SqlStatement {
  return {
    sql: `INSERT INTO reports (device_id, event_id, app, commit_id, stage, result, error_code, message, bytes,
        duration_ms, at, received_at)
      SELECT ?1, json_extract(value, '$.id'), json_extract(value, '$.app'), json_extract(value, '$.commit'),
        json_extract(value, '$.stage'), json_extract(value, '$.result'), json_extract(value, '$.errorCode'),
        json_extract(value, '$.message'), json_extract(value, '$.bytes'), json_extract(value, '$.durationMs'),
        json_extract(value, '$.at'), ?3
      FROM json_each(?2) WHERE true
      ON CONFLICT (device_id, event_id) DO NOTHING RETURNING event_id`,
    params: [id, JSON.stringify(events), options.now],
  };
}

/** Delete a device's reports but the newest `keep` (by arrival). */
export function reportCapStatement(id: string, keep: number): SqlStatement {
  return {
    sql: `DELETE FROM reports WHERE device_id = ?1 AND seq <= (SELECT seq FROM reports WHERE device_id = ?1
      ORDER BY seq DESC LIMIT 1 OFFSET ?2)`,
    params: [id, keep],
  };
}

/** The device list query for already-checked filters (`limit + 1` rows, to know if more follow). */
export function listStatement(filter: {
  cursor?: string;
  state?: DeviceState;
  seenSince?: number;
  app?: string;
  commit?: string;
  labels?: Record<string, string>;
  limit: number;
}): SqlStatement {
  const params: SqlValue[] = [];
  const p = (value: SqlValue) => (params.push(value), `?${params.length}`);
  const where: string[] = [];
  if (filter.cursor !== undefined) where.push(`d.id > ${p(filter.cursor)}`);
  if (filter.state !== undefined) where.push(`d.state = ${p(filter.state)}`);
  if (filter.seenSince !== undefined) where.push(`d.last_seen >= ${p(filter.seenSince)}`);
  const apps: string[] = [];
  if (filter.app !== undefined) apps.push(`name = ${p(filter.app)}`);
  if (filter.commit !== undefined && isCommit(filter.commit)) {
    // the commit or any starting with it, as a range on the indexed column (SQLite and D1 alike):
    // stored commits are lower-case hex, so each one starting with C sorts from C up to below C + "g"
    apps.push(`commit_id >= ${p(filter.commit)} AND commit_id < ${p(`${filter.commit}g`)}`);
  } else if (filter.commit !== undefined) {
    apps.push(`commit_id = ${p(filter.commit)}`);
  }
  if (apps.length > 0) where.push(`d.id IN (SELECT device_id FROM device_apps WHERE ${apps.join(" AND ")})`);
  for (const [key, value] of Object.entries(filter.labels ?? {})) {
    where.push(`d.id IN (SELECT device_id FROM device_labels WHERE key = ${p(key)} AND value = ${p(value)})`);
  }
  return {
    sql: `SELECT ${DEVICE_COLUMNS} FROM devices d ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
      ORDER BY d.id LIMIT ${p(filter.limit + 1)}`,
    params,
  };
}
