/**
 * Where the device keeps its rollout state in the workspace:
 *
 * ```
 * <workspace>/rollout/device-id    r_<32 hex>: the bucketing id of a device that is not enrolled
 *                                  (random, created once; an enrolled device uses its device id)
 * <workspace>/rollout/holds.json   {version, deviceId, at, rollouts}: the edge's last check-in answer
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rolloutPaths } from "./rollout_paths.ts";
 * assert.equal(rolloutPaths("/var/lib/drover").holds, "/var/lib/drover/rollout/holds.json");
 * ```
 * @module
 */
import { join, resolve } from "node:path";

/** The rollout state's paths in a workspace. */
export interface RolloutPaths {
  dir: string;
  deviceId: string;
  holds: string;
}

/** The rollout state's paths in `workspace` (made absolute). */
export function rolloutPaths(workspace: string): RolloutPaths {
  if (typeof workspace !== "string" || workspace === "") {
    throw new TypeError("Cannot locate rollout state: empty workspace path");
  }
  const dir = join(resolve(workspace), "rollout");
  return { dir, deviceId: join(dir, "device-id"), holds: join(dir, "holds.json") };
}
