/**
 * Private: the one `FleetStore` implementation, over a `SqlDriver` (`node:sqlite` or D1). Every
 * write is one transaction (a D1 batch, `_sql_write.ts`); device-supplied values are checked (with
 * core/fleet's parsers, unless they are what those parsers returned) and only ever bound as parameters.
 *
 * The work is done by private files, one concern each: devices, their check-ins and the list
 * (`_device_rows.ts`, which explains how a device's write checks its counter, key and state inside
 * its transaction), report events (`_report_rows.ts`), the summary (`_fleet_summary.ts`), enrolment
 * tokens (`_enroll_tokens.ts`) and rollouts (`_rollout_sql.ts`, argument checks in `_rollout_checks.ts`).
 */
import type { Inventory } from "../../core/fleet/inventory.ts";
import type { ReportEvent } from "../../core/fleet/report_events.ts";
import { MAX_ROLLOUT_HOLDS, type RolloutHold, type RolloutState } from "../../core/rollout/mod.ts";
import type {
  Device,
  DeviceDetail,
  DeviceFilter,
  DeviceState,
  DeviceWriteOptions,
  EnrollInput,
  EnrollTokenRecord,
  FleetStore,
  FleetSummary,
  Page,
  RolloutReadOptions,
} from "./fleet_store.ts";
import type {
  RolloutFailureGroup,
  RolloutFilter,
  RolloutRecord,
  RolloutRelease,
  RolloutUpdate,
} from "./rollouts/rollout_record.ts";
import type { SqlDriver } from "./_sql.ts";
import { DeviceRows } from "./_device_rows.ts";
import { ReportRows } from "./_report_rows.ts";
import { fleetSummary } from "./_fleet_summary.ts";
import { addEnrollToken, useEnrollToken } from "./_enroll_tokens.ts";
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
  rolloutFailureOptions,
  rolloutReadOptions,
} from "./_rollout_checks.ts";
import { timeOf } from "./_store_checks.ts";

/** Fleet storage over SQL; `SqliteFleetStore` and `D1FleetStore` only open their driver. */
export class SqlFleetStore implements FleetStore {
  #db: SqlDriver;
  #devices: DeviceRows;
  #reports: ReportRows;
  #closed = false;

  protected constructor(driver: SqlDriver) {
    this.#db = driver;
    this.#devices = new DeviceRows(driver);
    this.#reports = new ReportRows(driver);
  }

  enroll(input: EnrollInput, options: { now?: Date } = {}): Promise<{ device: Device; created: boolean }> {
    return this.#devices.enroll(input, options);
  }

  getDeviceKey(id: string): Promise<{ publicKey: string; state: DeviceState } | undefined> {
    return this.#devices.getDeviceKey(id);
  }

  getDevice(id: string, options: { reports?: number } = {}): Promise<DeviceDetail | undefined> {
    return this.#devices.getDevice(id, options);
  }

  setState(id: string, state: DeviceState): Promise<Device> {
    return this.#devices.setState(id, state);
  }

  recordCheckIn(
    id: string,
    inventory: Inventory,
    options: DeviceWriteOptions,
  ): Promise<{ state: DeviceState }> {
    return this.#devices.recordCheckIn(id, inventory, options);
  }

  recordReports(
    id: string,
    events: readonly ReportEvent[],
    options: DeviceWriteOptions,
  ): Promise<{ accepted: number; duplicates: number }> {
    return this.#reports.recordReports(id, events, options);
  }

  listDevices(
    options: DeviceFilter & { limit?: number; cursor?: string | null } = {},
  ): Promise<Page<Device>> {
    return this.#devices.listDevices(options);
  }

  summary(options: { now?: Date; staleAfterMs?: number } = {}): Promise<FleetSummary> {
    return fleetSummary(this.#db, options);
  }

  pruneReports(olderThanMs: number, options: { now?: Date } = {}): Promise<number> {
    return this.#reports.pruneReports(olderThanMs, options);
  }

  addEnrollToken(token: EnrollTokenRecord, options: { now?: Date } = {}): Promise<void> {
    return addEnrollToken(this.#db, token, options);
  }

  useEnrollToken(hash: string, options: { now?: Date } = {}): Promise<boolean> {
    return useEnrollToken(this.#db, hash, options);
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
    return await rolloutFailures(this.#db, id, rolloutFailureOptions(options));
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
