/**
 * Seeds an empty fleet database (already migrated: open it once with `SqliteFleetStore.open`) with a
 * synthetic fleet, in one transaction, for the fleet benchmarks: `devices` devices (states by id:
 * a tenth pending, a tenth rejected; last seen spread over 48 hours; a `site` label), two apps
 * each, and `reports` report events, `ceil(reports / devices)` per device from the first device
 * on (each device's events go download, verify, install, health over five commits; some health
 * checks fail or roll back; devices past the last report have none).
 *
 * Devices and apps go in through the schema's own triggers. Reports do not: firing the per-row
 * report trigger a million times takes most of a minute, so `bulk` (the default) drops it for the
 * insert and then writes, set-wise, exactly what it would have written (per-release counters and
 * last events, each device's latest install outcome, whose own trigger keeps the state counts), and
 * recreates it, all in the same transaction. `fleet_seed_test.ts` checks that both ways give the
 * same tables. A schema with other report triggers than the one known here is refused.
 *
 * @example
 * ```ts ignore
 * import { SqliteFleetStore } from "../../edge/fleet/sqlite_fleet_store.ts";
 * import { seedFleet } from "./fleet_seed.ts";
 * await (await SqliteFleetStore.open("/tmp/fleet.sqlite")).close();
 * seedFleet("/tmp/fleet.sqlite", { devices: 100_000, reports: 1_000_000, now: Date.now() });
 * ```
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { REPORTS_KEPT_PER_DEVICE } from "../../edge/fleet/fleet_store.ts";

/** What to seed. */
export interface FleetSeed {
  devices: number;
  reports: number;
  /** The edge's clock (ms): last seen and received times are relative to it. */
  now: number;
  /** `false`: insert reports through the per-row trigger (the slow reference). Default `true`. */
  bulk?: boolean;
}

/**
 * The report triggers whose effect the bulk path reproduces: `reports_insert`'s aggregates, and
 * `reports_rollouts`, which writes nothing while no rollout is registered (checked before seeding).
 */
const KNOWN_REPORT_TRIGGERS = ["reports_insert", "reports_rollouts"];

const SERIES = "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 - 1)";

/** `?1` reports, `?4` per device (device-major: device `i / ?4`, its `i % ?4`-th event), received at `?3`. */
const INSERT_REPORTS = `${SERIES}
  INSERT INTO reports (device_id, event_id, app, commit_id, stage, result, error_code, at, received_at)
  SELECT printf('d_%032x', i / ?4), printf('evt-%08d', i), 'acme/radio', printf('%07x', 1000000 + (i % ?4 / 4) % 5),
    CASE i % ?4 % 4 WHEN 0 THEN 'download' WHEN 1 THEN 'verify' WHEN 2 THEN 'install' ELSE 'health' END,
    CASE WHEN i % ?4 % 4 = 3 AND (i / ?4) % 13 = 0 THEN 'error'
      WHEN i % ?4 % 4 = 3 AND (i / ?4) % 29 = 0 THEN 'rolled_back' ELSE 'ok' END,
    CASE WHEN i % ?4 % 4 = 3 AND (i / ?4) % 13 = 0 THEN 'E_HEALTH' END,
    ?3 - (?1 - i) * 10, ?3 FROM n`;

/** What the report trigger does per row, done per set: per-release counters and last events. */
const RELEASES = `INSERT INTO device_releases (device_id, app, commit_id, events, ok, error, rolled_back,
    last_stage, last_result, last_error_code, last_at)
  SELECT g.device_id, g.app, g.commit_id, g.events, g.ok, g.error, g.rolled_back, r.stage, r.result,
    r.error_code, r.at
  FROM (SELECT device_id, app, commit_id, count(*) AS events, sum(result = 'ok') AS ok,
      sum(result = 'error') AS error, sum(result = 'rolled_back') AS rolled_back, max(seq) AS last
    FROM reports GROUP BY device_id, app, commit_id) g
  JOIN reports r ON r.seq = g.last`;

/** Each device's latest install outcome (`isOutcome` in core/fleet/report_events.ts). */
const LAST_INSTALL = `UPDATE devices SET li_app = r.app, li_commit = r.commit_id, li_stage = r.stage,
    li_result = r.result, li_error_code = r.error_code, li_at = r.at
  FROM (SELECT device_id, max(seq) AS last FROM reports
      WHERE NOT (result = 'ok' AND stage IN ('download', 'verify')) GROUP BY device_id) g
    JOIN reports r ON r.seq = g.last
  WHERE devices.id = g.device_id`;

/** Seeds `path`, whose fleet must be empty (see the module doc); returns how long each part took, in ms. */
export function seedFleet(path: string, seed: FleetSeed): { devicesMs: number; reportsMs: number } {
  const { devices, reports, now } = seed;
  for (const [name, n] of Object.entries({ devices, reports, now })) {
    if (!Number.isSafeInteger(n) || n < (name === "devices" ? 1 : 0)) {
      throw new RangeError(`Cannot seed fleet: '${name}' must be a non-negative integer`);
    }
  }
  const db = new DatabaseSync(path);
  try {
    db.exec("PRAGMA foreign_keys = ON; PRAGMA cache_size = -262144; PRAGMA busy_timeout = 5000");
    db.exec("BEGIN IMMEDIATE");
    try {
      if (db.prepare("SELECT 1 FROM devices LIMIT 1").get() !== undefined) {
        throw new Error(`Cannot seed fleet: ${path} already holds devices`);
      }
      const t0 = performance.now();
      db.prepare(`${SERIES}
        INSERT INTO devices (id, public_key, state, counter, enrolled_at, last_seen, device_type)
        SELECT printf('d_%032x', i), 'k',
          CASE i % 10 WHEN 0 THEN 'pending' WHEN 1 THEN 'rejected' ELSE 'accepted' END,
          1, ?2 - 86400000 * 30, ?2 - (i % 48) * 3600000, 'rpi4' FROM n`).run(devices, now);
      db.prepare(`${SERIES}
        INSERT INTO device_labels (device_id, key, value) SELECT printf('d_%032x', i), 'site', 'site-' || (i % 10) FROM n`)
        .run(devices);
      db.prepare(`${SERIES}
        INSERT INTO device_apps (device_id, name, ref, commit_id, serial)
        SELECT printf('d_%032x', i), 'acme/radio', 'main', printf('%07x', 1000000 + i % 5), i % 5 FROM n
        UNION ALL
        SELECT printf('d_%032x', i), 'acme/lights', CASE WHEN i % 7 = 0 THEN 'beta' ELSE 'main' END,
          printf('%07x', 2000000 + i % 3), 1 FROM n`).run(devices);
      const t1 = performance.now();
      const perDevice = Math.max(1, Math.ceil(reports / devices));
      if (perDevice > REPORTS_KEPT_PER_DEVICE) {
        throw new RangeError(`Cannot seed fleet: more than ${REPORTS_KEPT_PER_DEVICE} reports per device`);
      }
      if (seed.bulk === false) {
        db.prepare(INSERT_REPORTS).run(reports, devices, now, perDevice);
      } else {
        const triggers = db.prepare(
          "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'reports' ORDER BY name",
        ).all() as { name: string; sql: string }[];
        if (JSON.stringify(triggers.map((t) => t.name)) !== JSON.stringify(KNOWN_REPORT_TRIGGERS)) {
          throw new Error(
            `Cannot seed fleet: the reports table has triggers ${triggers.map((t) => t.name).join(", ")}, ` +
              `expected ${KNOWN_REPORT_TRIGGERS.join(", ")} (update scripts/bench/fleet_seed.ts)`,
          );
        }
        // the reports' secondary indexes are built once at the end (a sort) instead of row by row
        const indexes = db.prepare(
          "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reports' AND sql IS NOT NULL",
        ).all() as { name: string; sql: string }[];
        const rollouts = db.prepare("SELECT count(*) AS n FROM rollouts").get() as { n: number };
        if (rollouts.n > 0) {
          throw new Error(
            "Cannot seed fleet: bulk reports skip the rollout trigger, and rollouts are registered",
          );
        }
        for (const t of triggers) db.exec(`DROP TRIGGER ${t.name}`);
        for (const x of indexes) db.exec(`DROP INDEX ${x.name}`);
        db.prepare(INSERT_REPORTS).run(reports, devices, now, perDevice);
        for (const x of indexes) db.exec(x.sql);
        db.exec(RELEASES);
        db.exec(LAST_INSTALL);
        for (const t of triggers) db.exec(t.sql);
      }
      db.exec("COMMIT");
      return { devicesMs: t1 - t0, reportsMs: performance.now() - t1 };
    } catch (error) {
      if (db.isTransaction) db.exec("ROLLBACK");
      throw error;
    }
  } finally {
    db.close();
  }
}
