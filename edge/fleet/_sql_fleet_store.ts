/**
 * Private: the one `FleetStore` implementation, over a `SqlDriver` (`node:sqlite` or D1). Every
 * write is one transaction (a D1 batch); device-supplied values are checked here (with core/fleet's
 * parsers, unless they are what those parsers returned) and only ever bound as parameters.
 *
 * A device's writes check its counter (and, with `publicKey`, its key and state) inside their
 * transaction only: the device's row is updated first, and the schema aborts the transaction when
 * the counter does not increase (`ReplayError`), the device may not be written or is unknown
 * (`NotFoundError`); see `_statements.ts`.
 */
import { NotFoundError, TransientError } from "../../core/errors.ts";
import { assertDeviceId, DEVICE_ID, deviceIdOf } from "../../core/fleet/device_identity.ts";
import { ReplayError } from "../../core/fleet/errors.ts";
import { type Inventory, isParsedInventory, parseInventory } from "../../core/fleet/inventory.ts";
import { parseLabels } from "../../core/fleet/labels.ts";
import { MAX_REPORT_EVENTS, parseReportEvent, type ReportEvent } from "../../core/fleet/report_events.ts";
import {
  type Device,
  type DeviceDetail,
  type DeviceFilter,
  type DeviceState,
  type DeviceWriteOptions,
  type EnrollInput,
  type EnrollTokenRecord,
  type FleetStore,
  type FleetSummary,
  type Page,
  REPORTS_KEPT_PER_DEVICE,
} from "./fleet_store.ts";
import { assertCounter, assertState, assertTokenHash, checkWriteOptions, timeOf } from "./_store_checks.ts";
import { DETAIL_COLUMNS, DEVICE_COLUMNS, toDevice, toDeviceDetail, toSummary } from "./_rows.ts";
import type { Row, SqlDriver, SqlStatement } from "./_sql.ts";
import { MAX_ROLLOUT_HOLDS, type RolloutHold, type RolloutState } from "../../core/rollout/mod.ts";
import type { RolloutReadOptions } from "./fleet_store.ts";
import type {
  RolloutFailureGroup,
  RolloutFilter,
  RolloutRecord,
  RolloutRelease,
  RolloutUpdate,
} from "./rollouts/rollout_record.ts";
import {
  getRollout,
  listRollouts,
  rolloutFailures,
  rolloutHolds,
  syncRollouts,
  updateRollout,
} from "./_rollout_sql.ts";
import {
  assertRolloutId,
  checkRolloutReleases,
  checkRolloutUpdate,
  rolloutReadOptions,
} from "./_rollout_checks.ts";
import {
  advanceStatement,
  appStatements,
  checkInStatement,
  type EventRow,
  labelStatements,
  listStatement,
  reportCapStatement,
  reportStatement,
} from "./_statements.ts";

const DAY_MS = 24 * 3600_000;

const PRUNE_CHUNK = 5000;

/** Fleet storage over SQL; `SqliteFleetStore` and `D1FleetStore` only open their driver. */
export class SqlFleetStore implements FleetStore {
  #db: SqlDriver;
  #closed = false;

  protected constructor(driver: SqlDriver) {
    this.#db = driver;
  }

  async #write(id: string, statements: SqlStatement[]): Promise<Row[][]> {
    try {
      return await this.#db.batch(statements);
    } catch (error) {
      const message = String((error as Error)?.message ?? error);
      if (message.includes("E_REPLAY")) {
        throw new ReplayError(`Cannot accept request from ${id}: its counter is not above the last one`, {
          cause: error,
        });
      }
      if (message.includes("NOT NULL constraint failed: devices.counter")) {
        throw new NotFoundError(`Cannot find device ${id} with that key, not rejected`, { cause: error });
      }
      if (message.includes("FOREIGN KEY constraint failed")) {
        throw new NotFoundError(`Cannot find device ${id}`, { cause: error });
      }
      if (/SQLITE_BUSY|database is locked/i.test(message)) {
        throw new TransientError("Cannot write fleet database: busy, try later", { cause: error });
      }
      throw error;
    }
  }

  /** NotFoundError for an unknown device, ReplayError for a counter not above the stored one. */
  async #checkCounter(id: string, counter: number): Promise<void> {
    const [row] = await this.#db.all<{ counter: number }>("SELECT counter FROM devices WHERE id = ?1", [id]);
    if (!row) throw new NotFoundError(`Cannot find device ${id}`);
    if (counter <= row.counter) {
      throw new ReplayError(
        `Cannot accept request from ${id}: counter ${counter} is not above ${row.counter}`,
      );
    }
  }

  async #device(id: string): Promise<Device> {
    const [row] = await this.#db.all(`SELECT ${DEVICE_COLUMNS} FROM devices d WHERE d.id = ?1`, [id]);
    if (!row) throw new NotFoundError(`Cannot find device ${id}`);
    return toDevice(row);
  }

  async enroll(
    input: EnrollInput,
    options: { now?: Date } = {},
  ): Promise<{ device: Device; created: boolean }> {
    const { id, publicKey, counter } = input;
    assertDeviceId(id);
    if (typeof publicKey !== "string" || await deviceIdOf(publicKey) !== id) {
      throw new TypeError(`Cannot enroll ${id}: it is not the device id of the public key presented`);
    }
    const state = input.state ?? "pending";
    assertState(state);
    const labels = input.labels === undefined
      ? undefined
      : parseLabels(input.labels, { doc: "enrolment", path: "labels" });
    if (counter !== undefined) assertCounter(counter);
    const now = timeOf(options.now, "enroll");
    // The id is the key's (checked above), so a device already enrolled under it has this key.
    const [row] = await this.#db.all("SELECT 1 FROM devices WHERE id = ?1", [id]);
    if (!row) {
      try {
        await this.#write(id, [
          {
            sql: `INSERT INTO devices (id, public_key, state, counter, enrolled_at, last_seen)
              VALUES (?1, ?2, ?3, ?4, ?5, ?5)`,
            params: [id, publicKey, state, counter ?? 0, now],
          },
          ...labelStatements(id, labels ?? {}),
        ]);
        return { device: await this.#device(id), created: true };
      } catch (error) {
        // Enrolled at the same moment by another request: go on as a re-enrolment.
        if (!/UNIQUE constraint failed: devices\.id/.test(String((error as Error)?.message))) throw error;
      }
    }
    if (counter !== undefined) await this.#checkCounter(id, counter);
    await this.#write(id, [
      advanceStatement(id, { counter, now }),
      ...(state === "accepted"
        ? [{ sql: "UPDATE devices SET state = 'accepted' WHERE id = ?1 AND state = 'pending'", params: [id] }]
        : []),
      ...(labels === undefined ? [] : labelStatements(id, labels)),
    ]);
    return { device: await this.#device(id), created: false };
  }

  async getDeviceKey(id: string): Promise<{ publicKey: string; state: DeviceState } | undefined> {
    assertDeviceId(id);
    const [row] = await this.#db.all<{ public_key: string; state: DeviceState }>(
      "SELECT public_key, state FROM devices WHERE id = ?1",
      [id],
    );
    return row ? { publicKey: row.public_key, state: row.state } : undefined;
  }

  async getDevice(id: string, options: { reports?: number } = {}): Promise<DeviceDetail | undefined> {
    assertDeviceId(id);
    const limit = options.reports ?? 20;
    if (!Number.isSafeInteger(limit) || limit < 0 || limit > 100) {
      throw new RangeError(`Cannot get device: 'reports' must be 0 to 100, got ${limit}`);
    }
    const [rows, reports, releases] = await this.#db.batch([
      { sql: `SELECT ${DEVICE_COLUMNS}, ${DETAIL_COLUMNS} FROM devices d WHERE d.id = ?1`, params: [id] },
      { sql: "SELECT * FROM reports WHERE device_id = ?1 ORDER BY seq DESC LIMIT ?2", params: [id, limit] },
      { sql: "SELECT * FROM device_releases WHERE device_id = ?1 ORDER BY app, commit_id", params: [id] },
    ], { readOnly: true });
    const row = rows?.[0];
    return row ? toDeviceDetail(row, { reports: reports ?? [], releases: releases ?? [] }) : undefined;
  }

  async setState(id: string, state: DeviceState): Promise<Device> {
    assertDeviceId(id);
    assertState(state);
    const [updated] = await this.#write(id, [
      { sql: "UPDATE devices SET state = ?2 WHERE id = ?1 RETURNING id", params: [id, state] },
    ]);
    if (!updated?.length) throw new NotFoundError(`Cannot find device ${id}`);
    return await this.#device(id);
  }

  async recordCheckIn(
    id: string,
    inventory: Inventory,
    options: DeviceWriteOptions,
  ): Promise<{ state: DeviceState }> {
    assertDeviceId(id);
    const inv = isParsedInventory(inventory) ? inventory : parseInventory(inventory);
    const { counter, publicKey } = checkWriteOptions(options);
    const now = timeOf(options.now, "record check-in");
    const [advanced] = await this.#write(id, [
      checkInStatement(id, inv, { counter, now, publicKey }),
      ...appStatements(id, inv.apps),
      ...labelStatements(id, inv.labels),
    ]);
    const row = advanced?.[0];
    if (!row) throw new NotFoundError(`Cannot find device ${id}`);
    return { state: row.state as DeviceState };
  }

  async recordReports(
    id: string,
    events: readonly ReportEvent[],
    options: DeviceWriteOptions,
  ): Promise<{ accepted: number; duplicates: number }> {
    assertDeviceId(id);
    if (!Array.isArray(events) || events.length > MAX_REPORT_EVENTS) {
      throw new RangeError(`Cannot record reports: expected an array of at most ${MAX_REPORT_EVENTS} events`);
    }
    const rows = events.map((e, i): EventRow => {
      const event = parseReportEvent(e, { doc: "report", path: `events[${i}]` });
      return {
        id: event.id,
        app: event.app,
        commit: event.commit,
        stage: event.stage,
        result: event.result,
        errorCode: event.errorCode ?? null,
        message: event.message ?? null,
        bytes: event.bytes ?? null,
        durationMs: event.durationMs ?? null,
        at: new Date(event.at).getTime(),
      };
    });
    const { counter, publicKey } = checkWriteOptions(options);
    const now = timeOf(options.now, "record reports");
    const [advanced, inserted] = await this.#write(id, [
      advanceStatement(id, { counter, now, publicKey }),
      reportStatement(id, rows, { now }),
      reportCapStatement(id, REPORTS_KEPT_PER_DEVICE),
    ]);
    if (!advanced?.length) throw new NotFoundError(`Cannot find device ${id}`);
    const accepted = inserted?.length ?? 0;
    return { accepted, duplicates: rows.length - accepted };
  }

  async listDevices(
    options: DeviceFilter & { limit?: number; cursor?: string | null } = {},
  ): Promise<Page<Device>> {
    const limit = options.limit ?? 50;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 500) {
      throw new RangeError(`Cannot list devices: 'limit' must be 1 to 500, got ${limit}`);
    }
    const { cursor, state, seenSince, app, commit, labels } = options;
    if (cursor !== undefined && cursor !== null && (typeof cursor !== "string" || !DEVICE_ID.test(cursor))) {
      throw new TypeError("Cannot list devices: malformed cursor");
    }
    if (state !== undefined) assertState(state);
    for (const [key, value] of Object.entries({ app, commit })) {
      if (value !== undefined && (typeof value !== "string" || value.length === 0 || value.length > 257)) {
        throw new TypeError(`Cannot list devices: '${key}' must be a string of 1 to 257 characters`);
      }
    }
    const { sql, params } = listStatement({
      ...(cursor ? { cursor } : {}),
      ...(state ? { state } : {}),
      ...(seenSince ? { seenSince: timeOf(seenSince, "list devices") } : {}),
      ...(app ? { app } : {}),
      ...(commit ? { commit } : {}),
      ...(labels ? { labels: parseLabels(labels, { doc: "filter", path: "labels" }) } : {}),
      limit,
    });
    const rows = await this.#db.all(sql, params);
    const items = rows.slice(0, limit).map(toDevice);
    return { items, next: rows.length > limit ? items[items.length - 1]!.id : null };
  }

  async summary(options: { now?: Date; staleAfterMs?: number } = {}): Promise<FleetSummary> {
    const now = timeOf(options.now, "summarize fleet");
    const staleAfterMs = options.staleAfterMs ?? DAY_MS;
    if (!Number.isSafeInteger(staleAfterMs) || staleAfterMs < 0) {
      throw new RangeError("Cannot summarize fleet: 'staleAfterMs' must be a non-negative integer");
    }
    const since = now - staleAfterMs;
    const [counts = [], seen = [], apps = []] = await this.#db.batch([
      { sql: "SELECT kind, key, devices FROM device_counts" },
      { sql: "SELECT count(*) AS n FROM devices WHERE last_seen >= ?1", params: [since] },
      {
        sql:
          "SELECT name, ref, commit_id, devices FROM app_counts ORDER BY name, ref, devices DESC, commit_id",
      },
    ], { readOnly: true });
    return toSummary({ counts, seen, apps }, { now, since });
  }

  async pruneReports(olderThanMs: number, options: { now?: Date } = {}): Promise<number> {
    if (!Number.isSafeInteger(olderThanMs) || olderThanMs < 0) {
      throw new RangeError("Cannot prune reports: the age must be a non-negative integer of milliseconds");
    }
    const cutoff = timeOf(options.now, "prune reports") - olderThanMs;
    let total = 0;
    for (;;) {
      const { changes } = await this.#db.run(
        `DELETE FROM reports WHERE seq IN (SELECT seq FROM reports WHERE received_at < ?1 LIMIT ${PRUNE_CHUNK})`,
        [cutoff],
      );
      total += changes;
      if (changes < PRUNE_CHUNK) return total;
    }
  }

  async addEnrollToken(token: EnrollTokenRecord, options: { now?: Date } = {}): Promise<void> {
    const { hash, expiresAt, uses } = token ?? {};
    assertTokenHash(hash);
    const expires = expiresAt instanceof Date ? expiresAt.getTime() : NaN;
    if (!Number.isFinite(expires)) {
      throw new TypeError("Cannot add enrolment token: 'expiresAt' must be a valid Date");
    }
    if (uses !== null && (!Number.isSafeInteger(uses) || uses < 1)) {
      throw new RangeError("Cannot add enrolment token: 'uses' must be null or a positive integer");
    }
    const now = timeOf(options.now, "add enrolment token");
    await this.#write("enrolment token", [
      { sql: "DELETE FROM enroll_tokens WHERE expires_at <= ?1", params: [now] },
      {
        sql: "INSERT INTO enroll_tokens (hash, created_at, expires_at, uses_left) VALUES (?1, ?2, ?3, ?4)",
        params: [hash, now, expires, uses],
      },
    ]);
  }

  async useEnrollToken(hash: string, options: { now?: Date } = {}): Promise<boolean> {
    assertTokenHash(hash);
    const now = timeOf(options.now, "use enrolment token");
    const [used] = await this.#write("enrolment token", [{
      sql: `UPDATE enroll_tokens SET uses_left = uses_left - 1
        WHERE hash = ?1 AND expires_at > ?2 AND (uses_left IS NULL OR uses_left > 0) RETURNING hash`,
      params: [hash, now],
    }]);
    return (used?.length ?? 0) > 0;
  }

  async syncRollouts(releases: readonly RolloutRelease[], options: { now?: Date } = {}): Promise<number> {
    return await syncRollouts(this.#db, checkRolloutReleases(releases), {
      now: timeOf(options.now, "sync rollouts"),
    });
  }

  async listRollouts(filter: RolloutFilter = {}, options: RolloutReadOptions = {}): Promise<RolloutRecord[]> {
    return await listRollouts(this.#db, filter, rolloutReadOptions(options, "list rollouts"));
  }

  async getRollout(id: string, options: RolloutReadOptions = {}): Promise<RolloutRecord | undefined> {
    assertRolloutId(id, "get rollout");
    return await getRollout(this.#db, id, rolloutReadOptions(options, "get rollout"));
  }

  async updateRollout(
    id: string,
    update: RolloutUpdate,
    options: { from: readonly RolloutState[]; now?: Date },
  ): Promise<boolean> {
    assertRolloutId(id, "update rollout");
    checkRolloutUpdate(update, options.from);
    return await updateRollout(this.#db, id, {
      ...update,
      from: options.from,
      now: timeOf(options.now, "update rollout"),
    });
  }

  async rolloutFailures(
    id: string,
    options: { groups?: number; examples?: number } = {},
  ): Promise<RolloutFailureGroup[]> {
    assertRolloutId(id, "list rollout failures");
    const { groups = 20, examples = 3 } = options;
    if (!Number.isSafeInteger(groups) || groups < 1 || groups > 100) {
      throw new RangeError(`Cannot list rollout failures: 'groups' must be 1 to 100, got ${groups}`);
    }
    if (!Number.isSafeInteger(examples) || examples < 0 || examples > 20) {
      throw new RangeError(`Cannot list rollout failures: 'examples' must be 0 to 20, got ${examples}`);
    }
    return await rolloutFailures(this.#db, id, { groups, examples });
  }

  async rolloutHolds(apps: readonly { name: string; ref: string }[]): Promise<Record<string, RolloutHold>> {
    return await rolloutHolds(this.#db, apps, MAX_ROLLOUT_HOLDS);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#db.close();
  }

  /** `await using store = await SqliteFleetStore.open(…)` closes it at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
