/**
 * Where the fleet keeps its state in the device workspace:
 *
 * ```
 * <workspace>/identity/device.json        the device key (private JWK, mode 0600, never overwritten)
 * <workspace>/identity/counter.json       {deviceId, counter}: the last request counter handed out
 * <workspace>/identity/enrollment.json    {version, deviceId, api, state, labels, deviceType?, at}
 * <workspace>/identity/retired/<id>.json  keys replaced by `drover enroll --rotate-key`
 * <workspace>/reports/<event id>.json     report events waiting to be sent (one file each)
 * <workspace>/reports/state.json          {version, dropped, nextSeq}
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fleetPaths } from "./fleet_paths.ts";
 * assert.equal(fleetPaths("/var/lib/drover").key, "/var/lib/drover/identity/device.json");
 * ```
 * @module
 */
import { join, resolve } from "node:path";

/** The fleet's paths in a workspace. */
export interface FleetPaths {
  identity: string;
  key: string;
  counter: string;
  enrollment: string;
  retired: string;
  reports: string;
}

/** The fleet's paths in the workspace `workspace` (made absolute). */
export function fleetPaths(workspace: string): FleetPaths {
  if (typeof workspace !== "string" || workspace === "") {
    throw new TypeError("Cannot locate fleet state: empty workspace path");
  }
  const ws = resolve(workspace);
  const identity = join(ws, "identity");
  return {
    identity,
    key: join(identity, "device.json"),
    counter: join(identity, "counter.json"),
    enrollment: join(identity, "enrollment.json"),
    retired: join(identity, "retired"),
    reports: join(ws, "reports"),
  };
}
