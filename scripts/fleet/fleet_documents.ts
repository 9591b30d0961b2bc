/**
 * The documents of the edge's fleet API as `drover-fleet` reads them (JSON: times are ISO 8601
 * strings). Fields a newer edge adds pass through `--json` untouched; the text views read only these.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DevicePage } from "./fleet_documents.ts";
 * const page: DevicePage = { items: [], next: null };
 * assert.equal(page.next, null);
 * ```
 * @module
 */
import type { FleetSummary } from "../../edge/fleet/fleet_store.ts";
import type { RolloutCounts } from "../../edge/fleet/rollouts/rollout_record.ts";
import type { RolloutDocument } from "../../edge/fleet/rollouts/rollout_document.ts";

/** A store type as it travels in JSON: every `Date` becomes its ISO 8601 string. */
export type JsonOf<T> = T extends Date ? string
  : T extends readonly (infer E)[] ? JsonOf<E>[]
  : T extends object ? { [K in keyof T]: JsonOf<T[K]> }
  : T;

/** An installed app as the device list shows it. */
export interface DeviceAppDoc {
  name: string;
  ref: string;
  commit: string;
  serial: number | null;
  sha256?: string | null;
  releaseId?: string | null;
}

/** A device as `GET /v1/fleet/devices` lists it. */
export interface DeviceDoc {
  id: string;
  state: "accepted" | "pending" | "rejected";
  deviceType: string | null;
  labels: Record<string, string>;
  lastSeen: string | null;
  apps: DeviceAppDoc[];
  lastInstall: {
    app: string;
    commit: string;
    result: "ok" | "error" | "rolled_back";
    stage: string;
    errorCode: string | null;
    at: string;
  } | null;
}

/** One device with its details (`GET /v1/fleet/devices/<id>`); fields beyond {@linkcode DeviceDoc} are optional. */
export interface DeviceDetailDoc extends DeviceDoc {
  publicKey?: string;
  enrolledAt?: string;
  osVersion?: string | null;
  droverVersion?: string | null;
  reports?: {
    id: string;
    app: string;
    commit: string;
    stage: string;
    result: string;
    errorCode: string | null;
    message: string | null;
    at: string;
    receivedAt?: string;
  }[];
  releases?: {
    app: string;
    commit: string;
    events: number;
    ok: number;
    error: number;
    rolledBack: number;
    lastStage: string;
    lastResult: string;
    lastAt: string;
  }[];
}

/** A page of devices. */
export interface DevicePage {
  items: DeviceDoc[];
  next: string | null;
}

/** `GET /v1/fleet/summary`. */
export type SummaryDoc = JsonOf<FleetSummary>;

/** Devices of a rollout by outcome. */
export type RolloutCountsDoc = RolloutCounts;

/** `GET /v1/fleet/rollouts/<id>` (and each item of the list). */
export type RolloutDoc = JsonOf<RolloutDocument>;

/** A page of rollouts (`next`: the cursor of the following page, `null` at the end). */
export interface RolloutPage {
  items: RolloutDoc[];
  next: string | null;
}
