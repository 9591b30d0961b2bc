/**
 * Private: the devices of the SQL fleet store (`SqlFleetStore` delegates to {@linkcode DeviceRows}):
 * enrolment, keys and state, check-ins (inventory, apps, labels), one device's detail, and the list.
 * Device-supplied values are checked here (with core/fleet's parsers, unless they are what those
 * parsers returned) and only ever bound as parameters.
 *
 * A device's writes check its counter (and, with `publicKey`, its key and state) inside their
 * transaction only: the device's row is updated first, and the schema aborts the transaction when
 * the counter does not increase (`ReplayError`), the device may not be written or is unknown
 * (`NotFoundError`); see `_statements.ts` and `_sql_write.ts`.
 */
import { NotFoundError } from "../../core/errors.ts";
import { assertDeviceId, DEVICE_ID, deviceIdOf } from "../../core/fleet/device_identity.ts";
import { ReplayError } from "../../core/fleet/errors.ts";
import { type Inventory, isParsedInventory, parseInventory } from "../../core/fleet/inventory.ts";
import { parseLabels } from "../../core/fleet/labels.ts";
import type {
  Device,
  DeviceDetail,
  DeviceFilter,
  DeviceState,
  DeviceWriteOptions,
  EnrollInput,
  Page,
} from "./fleet_store.ts";
import { assertCounter, assertState, checkWriteOptions, timeOf } from "./_store_checks.ts";
import { DETAIL_COLUMNS, DEVICE_COLUMNS, toDevice, toDeviceDetail } from "./_rows.ts";
import type { SqlDriver } from "./_sql.ts";
import { writeBatch } from "./_sql_write.ts";
import {
  advanceStatement,
  appStatements,
  checkInStatement,
  labelStatements,
  listStatement,
} from "./_statements.ts";

/** The `devices` rows (and their labels and apps) over one driver; methods as `FleetStore`'s. */
export class DeviceRows {
  #db: SqlDriver;

  constructor(db: SqlDriver) {
    this.#db = db;
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
        await writeBatch(this.#db, [
          {
            sql: `INSERT INTO devices (id, public_key, state, counter, enrolled_at, last_seen)
              VALUES (?1, ?2, ?3, ?4, ?5, ?5)`,
            params: [id, publicKey, state, counter ?? 0, now],
          },
          ...labelStatements(id, labels ?? {}),
        ], { id });
        return { device: await this.#device(id), created: true };
      } catch (error) {
        // Enrolled at the same moment by another request: go on as a re-enrolment.
        if (!/UNIQUE constraint failed: devices\.id/.test(String((error as Error)?.message))) throw error;
      }
    }
    if (counter !== undefined) await this.#checkCounter(id, counter);
    await writeBatch(this.#db, [
      advanceStatement(id, { counter, now }),
      ...(state === "accepted"
        ? [{ sql: "UPDATE devices SET state = 'accepted' WHERE id = ?1 AND state = 'pending'", params: [id] }]
        : []),
      ...(labels === undefined ? [] : labelStatements(id, labels)),
    ], { id });
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
    const [updated] = await writeBatch(this.#db, [
      { sql: "UPDATE devices SET state = ?2 WHERE id = ?1 RETURNING id", params: [id, state] },
    ], { id });
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
    const [advanced] = await writeBatch(this.#db, [
      checkInStatement(id, inv, { counter, now, publicKey }),
      ...appStatements(id, inv.apps),
      ...labelStatements(id, inv.labels),
    ], { id });
    const row = advanced?.[0];
    if (!row) throw new NotFoundError(`Cannot find device ${id}`);
    return { state: row.state as DeviceState };
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
}
