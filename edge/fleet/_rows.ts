/** Private: SQL rows of the fleet tables to the objects of `fleet_store.ts`. */
import type { InventoryApp } from "../../core/fleet/inventory.ts";
import type { ReportResult, ReportStage } from "../../core/fleet/report_events.ts";
import type {
  Device,
  DeviceDetail,
  DeviceState,
  FleetSummary,
  ReleaseCounters,
  StoredReport,
} from "./fleet_store.ts";
import type { Row } from "./_sql.ts";

/** The columns {@linkcode toDevice} reads, for `FROM devices d`: labels and apps folded to JSON. */
export const DEVICE_COLUMNS = `d.id, d.state, d.device_type, d.last_seen, d.li_app, d.li_commit, d.li_stage,
  d.li_result, d.li_error_code, d.li_at,
  (SELECT json_group_object(key, value) FROM
    (SELECT key, value FROM device_labels WHERE device_id = d.id ORDER BY key)) AS labels_json,
  (SELECT json_group_array(json_object('name', name, 'ref', ref, 'commit', commit_id, 'serial', serial,
      'sha256', sha256, 'releaseId', release_id)) FROM
    (SELECT * FROM device_apps WHERE device_id = d.id ORDER BY name)) AS apps_json`;

/** The extra columns of {@linkcode toDeviceDetail}. */
export const DETAIL_COLUMNS = "d.public_key, d.enrolled_at, d.os_version, d.drover_version";

const date = (ms: unknown): Date => new Date(ms as number);
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function fullApps(row: Row): InventoryApp[] {
  return JSON.parse(String(row.apps_json ?? "[]")) as InventoryApp[];
}

/** A row of `SELECT DEVICE_COLUMNS` as a {@linkcode Device}. */
export function toDevice(row: Row): Device {
  return {
    id: String(row.id),
    state: row.state as DeviceState,
    deviceType: str(row.device_type),
    labels: JSON.parse(String(row.labels_json ?? "{}")),
    lastSeen: row.last_seen === null ? null : date(row.last_seen),
    apps: fullApps(row).map(({ name, ref, commit, serial }) => ({ name, ref, commit, serial })),
    lastInstall: row.li_result === null ? null : {
      app: String(row.li_app),
      commit: String(row.li_commit),
      result: row.li_result as ReportResult,
      stage: row.li_stage as ReportStage,
      errorCode: str(row.li_error_code),
      at: date(row.li_at),
    },
  };
}

/** A `reports` row. */
export function toReport(row: Row): StoredReport {
  return {
    id: String(row.event_id),
    app: String(row.app),
    commit: String(row.commit_id),
    stage: row.stage as ReportStage,
    result: row.result as ReportResult,
    errorCode: str(row.error_code),
    message: str(row.message),
    bytes: num(row.bytes),
    durationMs: num(row.duration_ms),
    at: date(row.at),
    receivedAt: date(row.received_at),
  };
}

/** A `device_releases` row. */
export function toReleaseCounters(row: Row): ReleaseCounters {
  return {
    app: String(row.app),
    commit: String(row.commit_id),
    events: Number(row.events),
    ok: Number(row.ok),
    error: Number(row.error),
    rolledBack: Number(row.rolled_back),
    lastStage: row.last_stage as ReportStage,
    lastResult: row.last_result as ReportResult,
    lastAt: date(row.last_at),
  };
}

/** A row of `SELECT DEVICE_COLUMNS, DETAIL_COLUMNS` with its reports and counters. */
export function toDeviceDetail(row: Row, related: { reports: Row[]; releases: Row[] }): DeviceDetail {
  const { reports, releases } = related;
  return {
    ...toDevice(row),
    apps: fullApps(row),
    publicKey: String(row.public_key),
    enrolledAt: date(row.enrolled_at),
    osVersion: str(row.os_version),
    droverVersion: str(row.drover_version),
    reports: reports.map(toReport),
    releases: releases.map(toReleaseCounters),
  };
}

/** The summary from `device_counts`, the count of devices seen since `since`, and `app_counts` rows. */
export function toSummary(
  rows: { counts: Row[]; seen: Row[]; apps: Row[] },
  times: { now: number; since: number },
): FleetSummary {
  const devices = { total: 0, accepted: 0, pending: 0, rejected: 0 };
  const lastInstall = { ok: 0, error: 0, rolledBack: 0, none: 0 };
  for (const { kind, key, devices: n } of rows.counts) {
    if (kind === "state" && Object.hasOwn(devices, key as string)) {
      devices[key as DeviceState] = Number(n);
      devices.total += Number(n);
    } else if (kind === "outcome") {
      const name = key === "rolled_back" ? "rolledBack" : String(key);
      if (Object.hasOwn(lastInstall, name)) lastInstall[name as keyof typeof lastInstall] = Number(n);
    }
  }
  const recent = Number(rows.seen[0]?.n ?? 0);
  const apps = new Map<string, FleetSummary["apps"][number]>();
  for (const row of rows.apps) {
    const key = `${row.name}\n${row.ref}`;
    let entry = apps.get(key);
    if (!entry) {
      apps.set(key, entry = { name: String(row.name), ref: String(row.ref), devices: 0, commits: [] });
    }
    entry.devices += Number(row.devices);
    entry.commits.push({ commit: String(row.commit_id), devices: Number(row.devices) });
  }
  return {
    at: new Date(times.now),
    devices,
    seen: { since: new Date(times.since), recent, stale: devices.total - recent },
    apps: [...apps.values()],
    lastInstall,
  };
}
