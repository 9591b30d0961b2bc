/**
 * The edge's last word on rollouts, kept in `<workspace>/rollout/holds.json` (atomic writes): the
 * `rollouts` of the last check-in answer of an enrolled device, checked by core/rollout
 * `parseRolloutHolds`, with the device id it was answered to and when (device clock):
 *
 * ```json
 * { "version": 1, "deviceId": "d_…", "at": "2026-03-01T12:00:00.000Z",
 *   "rollouts": { "acme:radio:main:7:0123abc": { "cap": 10, "state": "paused" } } }
 * ```
 *
 * A run whose check-in fails decides with these. Holds only ever lower a signed rollout, so a
 * stale file can delay a device, never widen what the signed metadata allows.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { readRolloutHolds, writeRolloutHolds } from "./rollout_holds_file.ts";
 * const ws = await mkdtemp(join(tmpdir(), "ws-"));
 * assert.equal(await readRolloutHolds(ws), undefined);
 * await writeRolloutHolds(ws, { deviceId: "d_1", rollouts: { r1: { cap: 0, state: "halted" } } });
 * assert.equal((await readRolloutHolds(ws))?.rollouts.r1?.state, "halted");
 * await rm(ws, { recursive: true });
 * ```
 * @module
 */
import { mkdir, readFile } from "node:fs/promises";
import { parseRolloutHolds, type RolloutHold } from "../../core/rollout/mod.ts";
import { writeFileAtomic } from "../fs/atomic_file.ts";
import { rolloutPaths } from "./rollout_paths.ts";

/** The saved holds. */
export interface SavedRolloutHolds {
  deviceId: string;
  /** When the edge answered (device clock, ISO 8601). */
  at: string;
  rollouts: Record<string, RolloutHold>;
}

/**
 * The saved holds, or `undefined` when there are none. `TypeError` (`Cannot read rollout holds
 * …`) for a damaged file.
 */
export async function readRolloutHolds(workspace: string): Promise<SavedRolloutHolds | undefined> {
  const path = rolloutPaths(workspace).holds;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return undefined;
    throw error;
  }
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new TypeError(`Cannot read rollout holds ${path}: not JSON`);
  }
  if (typeof doc !== "object" || doc === null || doc.version !== 1) {
    throw new TypeError(`Cannot read rollout holds ${path}: unknown version`);
  }
  try {
    return {
      deviceId: typeof doc.deviceId === "string" ? doc.deviceId : "",
      at: typeof doc.at === "string" ? doc.at : "",
      rollouts: parseRolloutHolds(doc.rollouts),
    };
  } catch (error) {
    throw new TypeError(`Cannot read rollout holds ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** Replaces the saved holds atomically (`at` defaults to now). */
export async function writeRolloutHolds(
  workspace: string,
  holds: { deviceId: string; rollouts: Readonly<Record<string, RolloutHold>>; at?: Date },
): Promise<void> {
  const paths = rolloutPaths(workspace);
  await mkdir(paths.dir, { recursive: true });
  const doc = {
    version: 1,
    deviceId: holds.deviceId,
    at: (holds.at ?? new Date()).toISOString(),
    rollouts: { ...holds.rollouts },
  };
  await writeFileAtomic(paths.holds, JSON.stringify(doc, null, 2) + "\n");
}
