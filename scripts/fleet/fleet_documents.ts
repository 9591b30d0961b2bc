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
export interface SummaryDoc {
  at: string;
  devices: { total: number; accepted: number; pending: number; rejected: number };
  seen: { since: string; recent: number; stale: number };
  apps: { name: string; ref: string; devices: number; commits: { commit: string; devices: number }[] }[];
  lastInstall: { ok: number; error: number; rolledBack: number; none: number };
}

/** Devices of a rollout by outcome. */
export interface RolloutCountsDoc {
  succeeded: number;
  failed: number;
  rolledBack: number;
  timedOut: number;
  inProgress: number;
}

/** `GET /v1/fleet/rollouts/<id>` (and each item of the list). */
export interface RolloutDoc {
  id: string;
  app: string;
  ref: string;
  commit: string;
  serial: number;
  publishedAt: string;
  steps: { afterHours: number; percent: number }[];
  halt: { minDevices: number; maxFailurePercent: number };
  state: string;
  cap: number | null;
  reason: string | null;
  percentNow: number;
  effectivePercent: number;
  devicesOnApp: number;
  devicesInReach: number;
  counts: RolloutCountsDoc;
  watched: RolloutCountsDoc;
  watchedSince: string;
  topErrors: { code: string; devices: number }[];
  createdAt: string;
  updatedAt: string;
}
