/**
 * The fleet database's schema, as numbered migrations applied in order on open (SQLite and D1
 * alike: D1 is SQLite). Each migration is a list of single statements (D1 runs them as one
 * atomic batch); a migration, once released, never changes: add the next one.
 *
 * Summary-time work is done at write time so the operator's summary reads a few small tables
 * and one index range (devices seen since): triggers keep per-(device, release) counters on every
 * new report (`device_releases`), each device's latest install outcome (`devices.li_*`), devices
 * by state and by latest outcome (`device_counts`) and per app, ref and commit (`app_counts`). A trigger refuses a counter that does not increase (`E_REPLAY`), so the
 * check-and-advance is part of whatever transaction updates it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MIGRATIONS } from "./migrations.ts";
 * assert.deepEqual(MIGRATIONS.map((m) => m.version), MIGRATIONS.map((_, i) => i + 1));
 * ```
 * @module
 */

/** One schema step. */
export interface Migration {
  version: number;
  name: string;
  statements: readonly string[];
}

/** Every migration, by version (1, 2, …). */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "init",
    statements: [
      `CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        public_key TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('accepted', 'pending', 'rejected')),
        device_type TEXT,
        os_version TEXT,
        drover_version TEXT,
        counter INTEGER NOT NULL DEFAULT 0,
        enrolled_at INTEGER NOT NULL,
        last_seen INTEGER,
        li_app TEXT,
        li_commit TEXT,
        li_stage TEXT,
        li_result TEXT,
        li_error_code TEXT,
        li_at INTEGER
      ) STRICT`,
      "CREATE INDEX devices_state ON devices (state, id)",
      "CREATE INDEX devices_last_seen ON devices (last_seen)",
      `CREATE TABLE device_counts (
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        devices INTEGER NOT NULL,
        PRIMARY KEY (kind, key)
      ) STRICT, WITHOUT ROWID`,
      `CREATE TRIGGER devices_insert AFTER INSERT ON devices BEGIN
        INSERT INTO device_counts (kind, key, devices)
          VALUES ('state', NEW.state, 1), ('outcome', coalesce(NEW.li_result, 'none'), 1)
          ON CONFLICT (kind, key) DO UPDATE SET devices = devices + 1;
      END`,
      `CREATE TRIGGER devices_delete AFTER DELETE ON devices BEGIN
        UPDATE device_counts SET devices = devices - 1
          WHERE (kind = 'state' AND key = OLD.state) OR (kind = 'outcome' AND key = coalesce(OLD.li_result, 'none'));
      END`,
      `CREATE TRIGGER devices_state_change AFTER UPDATE OF state ON devices
        WHEN OLD.state IS NOT NEW.state BEGIN
        UPDATE device_counts SET devices = devices - 1 WHERE kind = 'state' AND key = OLD.state;
        INSERT INTO device_counts (kind, key, devices) VALUES ('state', NEW.state, 1)
          ON CONFLICT (kind, key) DO UPDATE SET devices = devices + 1;
      END`,
      `CREATE TRIGGER devices_outcome_change AFTER UPDATE OF li_result ON devices
        WHEN OLD.li_result IS NOT NEW.li_result BEGIN
        UPDATE device_counts SET devices = devices - 1 WHERE kind = 'outcome' AND key = coalesce(OLD.li_result, 'none');
        INSERT INTO device_counts (kind, key, devices) VALUES ('outcome', coalesce(NEW.li_result, 'none'), 1)
          ON CONFLICT (kind, key) DO UPDATE SET devices = devices + 1;
      END`,
      `CREATE TRIGGER devices_counter_increases BEFORE UPDATE OF counter ON devices
        WHEN NEW.counter <= OLD.counter
        BEGIN SELECT RAISE(ABORT, 'E_REPLAY: counter does not increase'); END`,
      `CREATE TABLE device_labels (
        device_id TEXT NOT NULL REFERENCES devices (id),
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (device_id, key)
      ) STRICT, WITHOUT ROWID`,
      "CREATE INDEX device_labels_key_value ON device_labels (key, value)",
      `CREATE TABLE device_apps (
        device_id TEXT NOT NULL REFERENCES devices (id),
        name TEXT NOT NULL,
        ref TEXT NOT NULL,
        commit_id TEXT NOT NULL,
        serial INTEGER,
        sha256 TEXT,
        release_id TEXT,
        PRIMARY KEY (device_id, name)
      ) STRICT, WITHOUT ROWID`,
      "CREATE INDEX device_apps_name_commit ON device_apps (name, commit_id)",
      "CREATE INDEX device_apps_commit ON device_apps (commit_id)",
      `CREATE TABLE app_counts (
        name TEXT NOT NULL,
        ref TEXT NOT NULL,
        commit_id TEXT NOT NULL,
        devices INTEGER NOT NULL,
        PRIMARY KEY (name, ref, commit_id)
      ) STRICT, WITHOUT ROWID`,
      `CREATE TRIGGER device_apps_insert AFTER INSERT ON device_apps BEGIN
        INSERT INTO app_counts (name, ref, commit_id, devices) VALUES (NEW.name, NEW.ref, NEW.commit_id, 1)
          ON CONFLICT (name, ref, commit_id) DO UPDATE SET devices = devices + 1;
      END`,
      `CREATE TRIGGER device_apps_delete AFTER DELETE ON device_apps BEGIN
        UPDATE app_counts SET devices = devices - 1
          WHERE name = OLD.name AND ref = OLD.ref AND commit_id = OLD.commit_id;
        DELETE FROM app_counts WHERE name = OLD.name AND ref = OLD.ref AND commit_id = OLD.commit_id AND devices <= 0;
      END`,
      `CREATE TRIGGER device_apps_update AFTER UPDATE OF ref, commit_id ON device_apps
        WHEN OLD.ref IS NOT NEW.ref OR OLD.commit_id IS NOT NEW.commit_id BEGIN
        UPDATE app_counts SET devices = devices - 1
          WHERE name = OLD.name AND ref = OLD.ref AND commit_id = OLD.commit_id;
        DELETE FROM app_counts WHERE name = OLD.name AND ref = OLD.ref AND commit_id = OLD.commit_id AND devices <= 0;
        INSERT INTO app_counts (name, ref, commit_id, devices) VALUES (NEW.name, NEW.ref, NEW.commit_id, 1)
          ON CONFLICT (name, ref, commit_id) DO UPDATE SET devices = devices + 1;
      END`,
      `CREATE TABLE reports (
        seq INTEGER PRIMARY KEY,
        device_id TEXT NOT NULL REFERENCES devices (id),
        event_id TEXT NOT NULL,
        app TEXT NOT NULL,
        commit_id TEXT NOT NULL,
        stage TEXT NOT NULL,
        result TEXT NOT NULL,
        error_code TEXT,
        message TEXT,
        bytes INTEGER,
        duration_ms INTEGER,
        at INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        UNIQUE (device_id, event_id)
      ) STRICT`,
      "CREATE INDEX reports_device_seq ON reports (device_id, seq)",
      "CREATE INDEX reports_received_at ON reports (received_at)",
      `CREATE TABLE device_releases (
        device_id TEXT NOT NULL REFERENCES devices (id),
        app TEXT NOT NULL,
        commit_id TEXT NOT NULL,
        events INTEGER NOT NULL,
        ok INTEGER NOT NULL,
        error INTEGER NOT NULL,
        rolled_back INTEGER NOT NULL,
        last_stage TEXT NOT NULL,
        last_result TEXT NOT NULL,
        last_error_code TEXT,
        last_at INTEGER NOT NULL,
        PRIMARY KEY (device_id, app, commit_id)
      ) STRICT, WITHOUT ROWID`,
      "CREATE INDEX device_releases_release ON device_releases (app, commit_id, last_result)",
      `CREATE TRIGGER reports_insert AFTER INSERT ON reports BEGIN
        INSERT INTO device_releases (device_id, app, commit_id, events, ok, error, rolled_back,
            last_stage, last_result, last_error_code, last_at)
          VALUES (NEW.device_id, NEW.app, NEW.commit_id, 1, NEW.result = 'ok', NEW.result = 'error',
            NEW.result = 'rolled_back', NEW.stage, NEW.result, NEW.error_code, NEW.at)
          ON CONFLICT (device_id, app, commit_id) DO UPDATE SET
            events = events + 1, ok = ok + excluded.ok, error = error + excluded.error,
            rolled_back = rolled_back + excluded.rolled_back, last_stage = excluded.last_stage,
            last_result = excluded.last_result, last_error_code = excluded.last_error_code,
            last_at = excluded.last_at;
        UPDATE devices SET li_app = NEW.app, li_commit = NEW.commit_id, li_stage = NEW.stage,
            li_result = NEW.result, li_error_code = NEW.error_code, li_at = NEW.at
          WHERE id = NEW.device_id AND NOT (NEW.result = 'ok' AND NEW.stage IN ('download', 'verify'));
      END`,
    ],
  },
  {
    version: 2,
    name: "enroll_tokens",
    statements: [
      `CREATE TABLE enroll_tokens (
        hash TEXT PRIMARY KEY,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        uses_left INTEGER
      ) STRICT, WITHOUT ROWID`,
    ],
  },
  {
    version: 3,
    name: "rollouts",
    statements: [
      // the signed rollouts the edge found in its metadata, with the edge's hold on each
      `CREATE TABLE rollouts (
        id TEXT PRIMARY KEY,
        app TEXT NOT NULL,
        ref TEXT NOT NULL,
        commit_id TEXT NOT NULL,
        serial INTEGER NOT NULL,
        rollout TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('running', 'paused', 'halted', 'ended', 'done')),
        cap REAL,
        reason TEXT,
        watched_since INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT`,
      "CREATE INDEX rollouts_release ON rollouts (app, commit_id)",
      "CREATE INDEX rollouts_app_ref ON rollouts (app, ref)",
      // per rollout and device, the latest outcome of its install (kept by reports_rollouts)
      `CREATE TABLE rollout_devices (
        rollout_id TEXT NOT NULL,
        device_id TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('started', 'succeeded', 'failed', 'rolled_back')),
        error_code TEXT,
        started_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (rollout_id, device_id)
      ) STRICT, WITHOUT ROWID`,
      "CREATE INDEX rollout_devices_outcome ON rollout_devices (rollout_id, outcome, updated_at)",
      // a progress report (download, verify, health ok; a download error, retried) never undoes an outcome
      `CREATE TRIGGER reports_rollouts AFTER INSERT ON reports
        WHEN EXISTS (SELECT 1 FROM rollouts WHERE app = NEW.app AND commit_id = NEW.commit_id) BEGIN
        INSERT INTO rollout_devices (rollout_id, device_id, outcome, error_code, started_at, updated_at)
          SELECT id, NEW.device_id,
            CASE WHEN NEW.result = 'rolled_back' THEN 'rolled_back'
              WHEN NEW.result = 'error' AND NEW.stage <> 'download' THEN 'failed'
              WHEN NEW.result = 'ok' AND NEW.stage = 'install' THEN 'succeeded' ELSE 'started' END,
            NEW.error_code, NEW.received_at, NEW.received_at
          FROM rollouts WHERE app = NEW.app AND commit_id = NEW.commit_id
          ON CONFLICT (rollout_id, device_id) DO UPDATE SET
            outcome = CASE WHEN excluded.outcome = 'started' AND outcome <> 'started' THEN outcome
              ELSE excluded.outcome END,
            error_code = CASE WHEN excluded.outcome = 'started' AND outcome <> 'started' THEN error_code
              WHEN excluded.outcome = 'succeeded' THEN NULL ELSE coalesce(excluded.error_code, error_code) END,
            updated_at = excluded.updated_at;
      END`,
    ],
  },
  {
    version: 4,
    name: "rollouts_watched_since",
    statements: [
      // a rollout never resumed was watched since the epoch: the halt rule counted reports older than
      // it. First the devices copied in when it was registered (reports from before, stamped with the
      // registration time): back to the time of their last report before it (else just before it)
      `UPDATE rollout_devices SET
          started_at = coalesce((SELECT max(r.received_at) FROM rollouts ro JOIN reports r
              ON r.app = ro.app AND r.commit_id = ro.commit_id
            WHERE ro.id = rollout_devices.rollout_id AND r.device_id = rollout_devices.device_id
              AND r.received_at <= ro.created_at), updated_at - 1),
          updated_at = coalesce((SELECT max(r.received_at) FROM rollouts ro JOIN reports r
              ON r.app = ro.app AND r.commit_id = ro.commit_id
            WHERE ro.id = rollout_devices.rollout_id AND r.device_id = rollout_devices.device_id
              AND r.received_at <= ro.created_at), updated_at - 1)
        WHERE started_at = updated_at AND EXISTS (SELECT 1 FROM rollouts ro
          WHERE ro.id = rollout_devices.rollout_id AND ro.watched_since = 0 AND ro.created_at = rollout_devices.updated_at)`,
      // then each such rollout is watched from when the edge registered it
      "UPDATE rollouts SET watched_since = created_at WHERE watched_since = 0",
    ],
  },
];
