/**
 * Test fixtures of the FleetStore suite (`_store_suite.ts`): what a backend provides, and helpers
 * that make devices, inventories and events.
 * @module
 */
import assert from "node:assert/strict";
import { generateDeviceKey } from "../../core/fleet/device_identity.ts";
import type { Inventory, InventoryApp } from "../../core/fleet/inventory.ts";
import type { ReportEvent } from "../../core/fleet/report_events.ts";
import type { FleetStore } from "./fleet_store.ts";

/** A fresh database of the backend under test. */
export interface FreshDatabase {
  /** Opens a store on this database (again and again: the same data). */
  open(): Promise<FleetStore>;
  /** Runs raw SQL on this database, outside any store (to tamper with it in tests). */
  sql(sql: string, params?: (string | number | null)[]): Promise<Record<string, unknown>[]>;
}

/** The backend under test. */
export interface StoreTarget {
  fresh(): Promise<FreshDatabase>;
}

/** One behaviour, given an open store on a fresh database. */
export interface StoreCase {
  name: string;
  run(store: FleetStore, db: FreshDatabase): Promise<void>;
}

export const T0 = new Date("2026-03-01T12:00:00.000Z");
export const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

/** A new device identity (id + public key). */
export async function newDevice(): Promise<{ id: string; publicKey: string }> {
  const jwk = await generateDeviceKey();
  return { id: jwk.kid, publicKey: jwk.x };
}

/** A new device enrolled in `store` (counter 1, at T0), `accepted` unless `options.state` says otherwise. */
export async function enrolledDevice(
  store: FleetStore,
  options: { state?: "accepted" | "pending" | "rejected" } = {},
): Promise<{ id: string; publicKey: string }> {
  const d = await newDevice();
  await store.enroll({ ...d, state: options.state ?? "accepted", counter: 1 }, { now: T0 });
  return d;
}

/** `n` new devices enrolled and accepted in `store`, each with its request counter (1) to advance. */
export async function enrolledDevices(
  store: FleetStore,
  n: number,
): Promise<{ id: string; publicKey: string; counter: number }[]> {
  const devices = [];
  for (let i = 0; i < n; i++) devices.push({ ...(await enrolledDevice(store)), counter: 1 });
  return devices;
}

/** An installed app entry. */
export function app(name: string, commit: string, extra: Partial<InventoryApp> = {}): InventoryApp {
  return {
    name,
    ref: "main",
    commit,
    serial: 1,
    sha256: "ab".repeat(32),
    releaseId: `r-${commit}`,
    ...extra,
  };
}

/** An inventory. */
export function inventory(apps: InventoryApp[], labels: Record<string, string> = {}): Inventory {
  return { schema: 1, deviceType: "rpi4", osVersion: "Debian 12", droverVersion: "0.1.0", apps, labels };
}

let eventSeq = 0;
/** A report event with a fresh id. */
export function event(
  app: string,
  commit: string,
  stage: ReportEvent["stage"],
  result: ReportEvent["result"],
  extra: Partial<ReportEvent> = {},
): ReportEvent {
  return {
    id: `evt-${String(++eventSeq).padStart(8, "0")}`,
    app,
    commit,
    stage,
    result,
    at: T0.toISOString(),
    ...extra,
  };
}

/** Asserts `promise` rejects with an instance of `Kind` whose message matches `pattern`. */
export async function rejects(
  promise: Promise<unknown>,
  Kind: new (...a: never[]) => Error,
  pattern?: RegExp,
) {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof Kind, `expected ${Kind.name}, got ${e}`);
    assert.match((e as Error).message, /^Cannot /);
    if (pattern) assert.match((e as Error).message, pattern);
    return true;
  });
}
