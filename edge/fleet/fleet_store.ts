/**
 * The fleet's storage interface: enrolled devices, what they run (check-in inventories), what
 * happened to their installs (report events), and the operator's view (lists, one device, a
 * summary). One implementation over SQL (`SqliteFleetStore` on Deno, `D1FleetStore`
 * on Cloudflare Workers), one schema, one set of migrations (`migrations.ts`).
 *
 * Replay protection: every write a device causes carries the counter of its signed request
 * (`core/fleet/device_request.ts`). The store accepts it only when it is above the device's
 * stored counter and advances it in the same transaction as the write, so a replayed or
 * reordered request changes nothing (`ReplayError`). Policy stays with the caller: the store
 * refuses a rejected device's writes only when the caller passes the key it verified with
 * (`DeviceWriteOptions.publicKey`); routes check `getDeviceKey(id).state` otherwise.
 *
 * Times are `Date`s (the edge's clock, except `at` of events: the device's clock).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { FleetStore } from "./fleet_store.ts";
 * async function accepted(store: FleetStore): Promise<number> {
 *   return (await store.summary()).devices.accepted;
 * }
 * assert.equal(typeof accepted, "function");
 * ```
 * @module
 */
import type { Inventory, InventoryApp } from "../../core/fleet/inventory.ts";
import type { ReportEvent, ReportResult, ReportStage } from "../../core/fleet/report_events.ts";
import type { RolloutHold, RolloutState } from "../../core/rollout/mod.ts";
import type {
  RolloutFailureGroup,
  RolloutFilter,
  RolloutRecord,
  RolloutRelease,
  RolloutUpdate,
} from "./rollouts/rollout_record.ts";

export type { RolloutFailureGroup, RolloutFilter, RolloutRecord, RolloutRelease, RolloutUpdate };

/**
 * How many report events the store keeps per device: the newest; older ones are deleted as new
 * ones arrive (the per-release counters still count every event ever accepted).
 */
export const REPORTS_KEPT_PER_DEVICE = 500;

/** Where a device stands with the operator. */
export type DeviceState = "accepted" | "pending" | "rejected";
/** Every {@linkcode DeviceState}. */
export const DEVICE_STATES: readonly DeviceState[] = ["accepted", "pending", "rejected"];

/** The latest install outcome a device reported (see `isOutcome` in core/fleet/report_events.ts). */
export interface LastInstall {
  app: string;
  commit: string;
  result: ReportResult;
  stage: ReportStage;
  errorCode: string | null;
  /** The device's clock. */
  at: Date;
}

/** A device as the fleet API lists it. */
export interface Device {
  id: string;
  state: DeviceState;
  /** From the latest check-in; `null` before the first. */
  deviceType: string | null;
  labels: Record<string, string>;
  /** Last accepted signed request (enrolment, check-in or report). */
  lastSeen: Date | null;
  /** Installed apps from the latest check-in, by name. */
  apps: { name: string; ref: string; commit: string; serial: number | null }[];
  lastInstall: LastInstall | null;
}

/** A stored report event. */
export interface StoredReport {
  id: string;
  app: string;
  commit: string;
  stage: ReportStage;
  result: ReportResult;
  errorCode: string | null;
  message: string | null;
  bytes: number | null;
  durationMs: number | null;
  /** The device's clock. */
  at: Date;
  receivedAt: Date;
}

/** Exact per-device, per-release counters (kept when reports are pruned). */
export interface ReleaseCounters {
  app: string;
  commit: string;
  events: number;
  ok: number;
  error: number;
  rolledBack: number;
  lastStage: ReportStage;
  lastResult: ReportResult;
  lastAt: Date;
}

/** One device with its full inventory, counters and recent reports. */
export interface DeviceDetail extends Device {
  publicKey: string;
  enrolledAt: Date;
  osVersion: string | null;
  droverVersion: string | null;
  apps: InventoryApp[];
  /** Newest first. */
  reports: StoredReport[];
  /** By app, then commit. */
  releases: ReleaseCounters[];
}

/** What enrolment stores. `id` must be the device id of `publicKey`. */
export interface EnrollInput {
  id: string;
  /** base64url of the raw 32-byte Ed25519 public key. */
  publicKey: string;
  /** Default `pending`. Re-enrolling only ever moves `pending` to `accepted`. */
  state?: DeviceState;
  /** Replaces the labels when given. */
  labels?: Record<string, string>;
  /** The enrolment request's counter (checked and advanced on re-enrolment). */
  counter?: number;
}

/** Filters of {@linkcode FleetStore.listDevices}; all given ones must match. */
export interface DeviceFilter {
  /** Runs this app (`owner/app`). */
  app?: string;
  /**
   * Runs this commit (of `app`, when given), or, for 7 to 64 lower-case hex digits, any commit
   * starting with them (an abbreviated commit, as tables print them).
   */
  commit?: string;
  state?: DeviceState;
  /** Carries every one of these labels. */
  labels?: Record<string, string>;
  /** Seen at or after this time. */
  seenSince?: Date;
}

/** A page of a list: `next` is the cursor of the following page, or `null` at the end. */
export interface Page<T> {
  items: T[];
  next: string | null;
}

/** The fleet at a glance. */
export interface FleetSummary {
  at: Date;
  devices: { total: number; accepted: number; pending: number; rejected: number };
  /** `recent`: seen at or after `since` (= at - staleAfterMs); `stale`: the others. */
  seen: { since: Date; recent: number; stale: number };
  /** Per app and ref, how many devices run each commit (most devices first). */
  apps: { name: string; ref: string; devices: number; commits: { commit: string; devices: number }[] }[];
  /** Devices by the result of their latest install outcome. */
  lastInstall: { ok: number; error: number; rolledBack: number; none: number };
}

/** An enrolment token minted by the operator, as stored: only its SHA-256, never the token. */
export interface EnrollTokenRecord {
  /** Lower-case hex SHA-256 of the token (UTF-8). */
  hash: string;
  expiresAt: Date;
  /** How many enrolments it may still accept; `null`: any number until it expires. */
  uses: number | null;
}

/** Options of a device's write ({@linkcode FleetStore.recordCheckIn}, {@linkcode FleetStore.recordReports}). */
export interface DeviceWriteOptions {
  /** The signed request's counter: must be above the stored one (`ReplayError`), which it becomes. */
  counter: number;
  now?: Date;
  /**
   * The stored public key the request was verified with. When given, the write applies only while
   * the device still has that key and is not rejected, checked in the write's own transaction
   * (`NotFoundError` otherwise, nothing written): a verifier that cached the key needs no read first.
   */
  publicKey?: string;
}

/** The fleet's storage. Errors: `NotFoundError` (unknown device), `ReplayError`, `TypeError`/`RangeError`. */
export interface FleetStore {
  /** Register a device, or return it when already enrolled (`created: false`). */
  enroll(device: EnrollInput, options?: { now?: Date }): Promise<{ device: Device; created: boolean }>;
  /** The public key and state of a device (to verify its requests), or `undefined`. */
  getDeviceKey(id: string): Promise<{ publicKey: string; state: DeviceState } | undefined>;
  /** One device with inventory, counters and its `reports` (default 20, at most 100) newest reports. */
  getDevice(id: string, options?: { reports?: number }): Promise<DeviceDetail | undefined>;
  /** Accept, reject or set a device back to pending. */
  setState(id: string, state: DeviceState): Promise<Device>;
  /**
   * Store a check-in: counter check-and-advance, last seen, inventory and labels, atomically. An
   * inventory `parseInventory` returned (`ParsedInventory`, see `isParsedInventory`) is stored as
   * is; any other is checked first. Resolves with the device's state only (`getDevice` reads the
   * device).
   */
  recordCheckIn(
    id: string,
    inventory: Inventory,
    options: DeviceWriteOptions,
  ): Promise<{ state: DeviceState }>;
  /**
   * Store report events idempotently by event id (per device): a repeated id is acknowledged but
   * counted once. Atomic with the counter check-and-advance. Keeps the newest
   * {@linkcode REPORTS_KEPT_PER_DEVICE} events of the device (an id older than those is new again).
   */
  recordReports(
    id: string,
    events: readonly ReportEvent[],
    options: DeviceWriteOptions,
  ): Promise<{ accepted: number; duplicates: number }>;
  /** Devices by id, filtered, `limit` (default 50, 1 to 500) per page from `cursor`. */
  listDevices(options?: DeviceFilter & { limit?: number; cursor?: string | null }): Promise<Page<Device>>;
  /** The fleet summary; `staleAfterMs` defaults to 24 hours. */
  summary(options?: { now?: Date; staleAfterMs?: number }): Promise<FleetSummary>;
  /** Delete reports received more than `olderThanMs` ago; counters are kept. Resolves with how many. */
  pruneReports(olderThanMs: number, options?: { now?: Date }): Promise<number>;
  /** Store a minted enrolment token (expired ones are deleted meanwhile). */
  addEnrollToken(token: EnrollTokenRecord, options?: { now?: Date }): Promise<void>;
  /**
   * Use the enrolment token of SHA-256 `hash` once: resolves `true` when it was known, unexpired
   * and not used up (and counts the use, atomically), else `false`.
   */
  useEnrollToken(hash: string, options?: { now?: Date }): Promise<boolean>;
  /**
   * Register the signed rollouts of `releases` the store does not know yet (`running`, no cap,
   * watched from `now`), counting the devices that already reported on their release (not watched:
   * their reports are older); known ones keep their hold. A running rollout older than the
   * `newestSerial` of its app and ref becomes `done` (no cap, no longer watched). All atomically.
   * Resolves with how many were new.
   */
  syncRollouts(releases: readonly RolloutRelease[], options?: { now?: Date }): Promise<number>;
  /** Rollouts, newest first, with their counts (a device silent past `timeoutMs` has timed out). */
  listRollouts(filter?: RolloutFilter, options?: RolloutReadOptions): Promise<RolloutRecord[]>;
  /** One rollout with its counts, or `undefined`. */
  getRollout(id: string, options?: RolloutReadOptions): Promise<RolloutRecord | undefined>;
  /**
   * Set a rollout's hold (state, cap, reason) when its state is one of `from`, atomically:
   * resolves `false` when it is not (or unknown), so a halt never overrides the operator.
   */
  updateRollout(
    id: string,
    update: RolloutUpdate,
    options: { from: readonly RolloutState[]; now?: Date },
  ): Promise<boolean>;
  /**
   * A rollout's failed and rolled back devices grouped by outcome, stage and error code, most
   * devices first: at most `groups` groups (default 20, 1 to 100), `examples` devices each (default
   * 3, 0 to 20). Empty when the rollout is unknown.
   */
  rolloutFailures(
    id: string,
    options?: { groups?: number; examples?: number },
  ): Promise<RolloutFailureGroup[]>;
  /** The edge's holds (cap set) on the rollouts of these apps and refs: a check-in answer's `rollouts`. */
  rolloutHolds(apps: readonly { name: string; ref: string }[]): Promise<Record<string, RolloutHold>>;
  /** Release the database (idempotent). */
  close(): Promise<void>;
}

/** How {@linkcode FleetStore.listRollouts} and `getRollout` count. */
export interface RolloutReadOptions {
  now?: Date;
  /** A device that started and sent no outcome for this long has timed out (default 60 minutes). */
  timeoutMs?: number;
}
