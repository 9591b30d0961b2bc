/**
 * Private: the fleet store's rollout operations over a `SqlDriver` (SQLite and D1 alike: every
 * write is one batch through `writeBatch`, so a busy database is a `TransientError`, 503 with
 * Retry-After). Rollouts are keyed by id and found from a report by app and commit: the
 * `reports_rollouts` trigger (migration 3) keeps `rollout_devices` (one row per rollout and
 * device: its latest outcome, at report-ingest time); counts are read with one indexed aggregate
 * per rollout.
 */
import { parseRollout, type Rollout, type RolloutState } from "../../core/rollout/mod.ts";
import type { Row, SqlDriver, SqlStatement } from "./_sql.ts";
import { writeBatch } from "./_sql_write.ts";
import type {
  RolloutCounts,
  RolloutFailureGroup,
  RolloutFilter,
  RolloutRecord,
  RolloutRelease,
  RolloutUpdate,
} from "./rollouts/rollout_record.ts";

/** Options of reads that count devices. */
export interface RolloutCountOptions {
  now: number;
  /** A device started longer ago than this with no outcome since has timed out. */
  timeoutMs: number;
}

const ROLLOUT_STATES: readonly RolloutState[] = ["running", "paused", "halted", "ended", "done"];

const COLUMNS =
  "id, app, ref, commit_id, serial, rollout, state, cap, reason, watched_since, created_at, updated_at";

/** When the edge received a device's last report on the release of `dr` (a device_releases row), if kept. */
const LAST_REPORT = `coalesce((SELECT max(r.received_at) FROM reports r
            WHERE r.device_id = dr.device_id AND r.app = dr.app AND r.commit_id = dr.commit_id), ?2 - 1)`;

/**
 * Registers the rollouts of `releases` not yet known (state `running`, no cap, watched from `now`)
 * and retires the running ones a newer release of their app and ref supersedes (`done`, no cap, no
 * longer watched); resolves with how many it registered.
 */
export async function syncRollouts(
  db: SqlDriver,
  releases: readonly RolloutRelease[],
  options: { now: number },
): Promise<number> {
  if (releases.length === 0) return 0;
  const json = JSON.stringify(releases.map((r) => ({
    id: r.rollout.id,
    app: r.app,
    ref: r.ref,
    commit: r.commit,
    serial: r.serial,
    newest: Math.max(r.serial, r.newestSerial ?? r.serial),
    rollout: JSON.stringify(r.rollout),
  })));
  const fields = (name: string) => `json_extract(value, '$.${name}')`;
  const [, inserted] = await writeBatch(db, [
    {
      // devices that reported on the release (app and commit) before the edge knew its rollout (a late
      // sync, a re-publication of the commit): counted, at the time of their last report the edge
      // still keeps (else just before now), so older than the rollout's watch
      sql: `INSERT INTO rollout_devices (rollout_id, device_id, outcome, error_code, started_at, updated_at)
        SELECT ${fields("id")}, dr.device_id,
          CASE WHEN dr.last_result = 'rolled_back' THEN 'rolled_back'
            WHEN dr.last_result = 'error' AND dr.last_stage <> 'download' THEN 'failed'
            WHEN dr.last_result = 'ok' AND dr.last_stage = 'install' THEN 'succeeded' ELSE 'started' END,
          dr.last_error_code, ${LAST_REPORT}, ${LAST_REPORT}
        FROM json_each(?1) JOIN device_releases dr
          ON dr.app = ${fields("app")} AND dr.commit_id = ${fields("commit")}
        WHERE NOT EXISTS (SELECT 1 FROM rollouts WHERE id = ${fields("id")})
        ON CONFLICT (rollout_id, device_id) DO NOTHING`,
      params: [json, options.now],
    },
    {
      sql: `INSERT INTO rollouts (id, app, ref, commit_id, serial, rollout, state, cap, reason, watched_since,
          created_at, updated_at)
        SELECT ${fields("id")}, ${fields("app")}, ${fields("ref")}, ${fields("commit")}, ${fields("serial")},
          ${fields("rollout")}, 'running', NULL, NULL, ?2, ?2, ?2
        FROM json_each(?1) WHERE true
        ON CONFLICT (id) DO NOTHING RETURNING id`,
      params: [json, options.now],
    },
    {
      // superseded: only a running one (no cap: devices see no change); a paused or halted one keeps
      // its hold (devices left out of the newer release must not fall back to it) until the operator
      sql: `UPDATE rollouts SET state = 'done', cap = NULL, updated_at = ?2,
          reason = 'superseded by serial ' || n.newest || ', a newer release of ' || rollouts.app || ' '
            || rollouts.ref || ': no longer watched'
        FROM (SELECT ${fields("app")} AS app, ${fields("ref")} AS ref, max(${fields("newest")}) AS newest
          FROM json_each(?1) GROUP BY 1, 2) AS n
        WHERE rollouts.state = 'running' AND rollouts.app = n.app AND rollouts.ref = n.ref
          AND rollouts.serial < n.newest`,
      params: [json, options.now],
    },
  ], { id: "rollouts" });
  return inserted?.length ?? 0;
}

function countStatement(row: Row, options: RolloutCountOptions): SqlStatement[] {
  const id = row.id as string;
  return [
    {
      sql:
        `SELECT outcome, count(*) AS total, sum(updated_at < ?2) AS stale, sum(updated_at >= ?3) AS watched,
          sum(updated_at < ?2 AND updated_at >= ?3) AS watched_stale
        FROM rollout_devices WHERE rollout_id = ?1 GROUP BY outcome`,
      params: [id, options.now - options.timeoutMs, Number(row.watched_since)],
    },
    {
      sql: `SELECT error_code AS code, count(*) AS devices FROM rollout_devices
        WHERE rollout_id = ?1 AND outcome IN ('failed', 'rolled_back') AND error_code IS NOT NULL
        GROUP BY error_code ORDER BY devices DESC, code LIMIT 5`,
      params: [id],
    },
  ];
}

function countsOf(rows: Row[], watched: boolean): RolloutCounts {
  const counts = { succeeded: 0, failed: 0, rolledBack: 0, timedOut: 0, inProgress: 0 };
  for (const row of rows) {
    const n = Number(watched ? row.watched : row.total) || 0;
    const stale = Number(watched ? row.watched_stale : row.stale) || 0;
    if (row.outcome === "succeeded") counts.succeeded += n;
    else if (row.outcome === "failed") counts.failed += n;
    else if (row.outcome === "rolled_back") counts.rolledBack += n;
    else {
      counts.timedOut += stale;
      counts.inProgress += n - stale;
    }
  }
  return counts;
}

function toRecord(row: Row, counted: Row[], errors: Row[]): RolloutRecord {
  const rollout: Rollout = parseRollout(JSON.parse(row.rollout as string));
  return {
    id: row.id as string,
    rollout,
    app: row.app as string,
    ref: row.ref as string,
    commit: row.commit_id as string,
    serial: Number(row.serial),
    state: row.state as RolloutState,
    cap: row.cap === null || row.cap === undefined ? null : Number(row.cap),
    reason: (row.reason as string | null) ?? null,
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
    watchedSince: new Date(Number(row.watched_since)),
    counts: countsOf(counted, false),
    watched: countsOf(counted, true),
    topErrors: errors.map((e) => ({ code: e.code as string, devices: Number(e.devices) })),
  };
}

async function withCounts(
  db: SqlDriver,
  rows: Row[],
  options: RolloutCountOptions,
): Promise<RolloutRecord[]> {
  if (rows.length === 0) return [];
  const results = await db.batch(rows.flatMap((row) => countStatement(row, options)), { readOnly: true });
  return rows.map((row, i) => toRecord(row, results[2 * i] ?? [], results[2 * i + 1] ?? []));
}

/** Rollouts newest first (by when the edge first saw them), with their counts. */
export async function listRollouts(
  db: SqlDriver,
  filter: RolloutFilter,
  options: RolloutCountOptions,
): Promise<RolloutRecord[]> {
  const limit = filter.limit ?? 50;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 500) {
    throw new RangeError(`Cannot list rollouts: 'limit' must be 1 to 500, got ${limit}`);
  }
  const states = filter.states ?? ROLLOUT_STATES;
  for (const state of states) {
    if (!ROLLOUT_STATES.includes(state)) {
      throw new TypeError(`Cannot list rollouts: unknown state '${state}'`);
    }
  }
  if (filter.cursor !== undefined && typeof filter.cursor !== "string") {
    throw new TypeError("Cannot list rollouts: malformed cursor");
  }
  // the page after the cursor's rollout, in the list's order (keyset: created_at, serial, id)
  const rows = await db.all(
    `SELECT ${COLUMNS} FROM rollouts
      WHERE (?1 IS NULL OR app = ?1) AND (?2 IS NULL OR commit_id = ?2)
        AND state IN (SELECT value FROM json_each(?3))
        AND (?5 IS NULL OR EXISTS (SELECT 1 FROM rollouts c WHERE c.id = ?5 AND (rollouts.created_at < c.created_at
          OR (rollouts.created_at = c.created_at AND (rollouts.serial < c.serial
            OR (rollouts.serial = c.serial AND rollouts.id > c.id))))))
      ORDER BY created_at DESC, serial DESC, id LIMIT ?4`,
    [filter.app ?? null, filter.commit ?? null, JSON.stringify(states), limit, filter.cursor ?? null],
  );
  return await withCounts(db, rows, options);
}

/** One rollout with its counts, or `undefined`. */
export async function getRollout(
  db: SqlDriver,
  id: string,
  options: RolloutCountOptions,
): Promise<RolloutRecord | undefined> {
  const rows = await db.all(`SELECT ${COLUMNS} FROM rollouts WHERE id = ?1`, [id]);
  return (await withCounts(db, rows, options))[0];
}

/** Sets a rollout's hold when it is in one of the `from` states; resolves whether it did. */
export async function updateRollout(
  db: SqlDriver,
  id: string,
  update: RolloutUpdate & { from: readonly RolloutState[]; now: number },
): Promise<boolean> {
  const { state, cap, reason, from, now } = update;
  const [changed] = await writeBatch(db, [{
    sql: `UPDATE rollouts SET state = ?2, cap = ?3, reason = ?4, updated_at = ?5,
        watched_since = CASE WHEN ?6 THEN ?5 ELSE watched_since END
      WHERE id = ?1 AND state IN (SELECT value FROM json_each(?7)) RETURNING id`,
    params: [id, state, cap, reason, now, update.rewatch ? 1 : 0, JSON.stringify(from)],
  }], { id: `rollout ${id}` });
  return (changed?.length ?? 0) > 0;
}

/** The holds (cap not null) of the rollouts of these apps and refs, newest first, at most `limit`. */
export async function rolloutHolds(
  db: SqlDriver,
  apps: readonly { name: string; ref: string }[],
  limit: number,
): Promise<Record<string, { cap: number; state: RolloutState }>> {
  const holds: Record<string, { cap: number; state: RolloutState }> = Object.create(null);
  if (apps.length === 0) return holds;
  const rows = await db.all<{ id: string; cap: number; state: RolloutState }>(
    `SELECT id, cap, state FROM rollouts WHERE cap IS NOT NULL AND EXISTS (SELECT 1 FROM json_each(?1)
        WHERE json_extract(value, '$.name') = rollouts.app AND json_extract(value, '$.ref') = rollouts.ref)
      ORDER BY created_at DESC LIMIT ?2`,
    [JSON.stringify(apps.map((a) => ({ name: a.name, ref: a.ref }))), limit],
  );
  for (const row of rows) holds[row.id] = { cap: Number(row.cap), state: row.state };
  return holds;
}

/**
 * The failed and rolled back devices of rollout `id` grouped by outcome, the stage of their latest
 * `error` report on the release, and error code; `groups` groups at most, `examples` devices each.
 */
export async function rolloutFailures(
  db: SqlDriver,
  id: string,
  options: { groups: number; examples: number },
): Promise<RolloutFailureGroup[]> {
  const rows = await db.all(
    `WITH failing AS (
        SELECT rd.device_id, rd.outcome, rd.error_code, (SELECT r.seq FROM reports r
            WHERE r.device_id = rd.device_id AND r.app = ro.app AND r.commit_id = ro.commit_id
              AND r.result = 'error' ORDER BY r.seq DESC LIMIT 1) AS seq
          FROM rollouts ro JOIN rollout_devices rd ON rd.rollout_id = ro.id
          WHERE ro.id = ?1 AND rd.outcome IN ('failed', 'rolled_back')),
      detailed AS (
        SELECT f.device_id, f.outcome, r.stage, coalesce(f.error_code, r.error_code) AS code, r.message
          FROM failing f LEFT JOIN reports r ON r.seq = f.seq),
      ranked AS (
        SELECT *, count(*) OVER (PARTITION BY outcome, stage, code) AS devices,
            row_number() OVER (PARTITION BY outcome, stage, code ORDER BY device_id) AS n
          FROM detailed)
      SELECT outcome, stage, code, devices, device_id, message FROM ranked WHERE n <= max(?2, 1)
        ORDER BY devices DESC, outcome, stage, code, n`,
    [id, options.examples],
  );
  const groups: RolloutFailureGroup[] = [];
  let last: RolloutFailureGroup | undefined;
  for (const row of rows) {
    const outcome = row.outcome === "failed" ? "failed" : "rolledBack";
    const stage = (row.stage as string | null) ?? null, code = (row.code as string | null) ?? null;
    if (!last || last.outcome !== outcome || last.stage !== stage || last.code !== code) {
      if (groups.length === options.groups) break;
      groups.push(last = { outcome, stage, code, devices: Number(row.devices), examples: [] });
    }
    if (last.examples.length < options.examples) {
      last.examples.push({
        deviceId: row.device_id as string,
        message: (row.message as string | null) ?? null,
      });
    }
  }
  return groups;
}
