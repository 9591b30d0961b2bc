/**
 * What a `check` or `update` run knows of this device for staged rollouts, gathered once before
 * the plan decides:
 *
 * - the id its buckets are drawn from: the enrolled device id (`identity/enrollment.json`), the
 *   one the edge knows and counts; otherwise the workspace's random rollout id
 *   (`workspace_rollout_id.ts`);
 * - its cohort (`rollout_cohort.ts`: `--cohort`, `DROVER_COHORT`, the label `cohort=canary`);
 * - the edge's holds: an enrolled device checks in first (`checkIn`, bounded like every fleet
 *   request, never failing the run) and decides with the answer; when that fails, with the last
 *   answer saved (`rollout_holds_file.ts`); with none, the signed percent alone applies.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { openRolloutContext } from "./rollout_context.ts";
 * const ws = await mkdtemp(join(tmpdir(), "ws-"));
 * const io = { stdout: () => {}, stderr: () => {}, env: {}, stderrIsTTY: false };
 * const ctx = await openRolloutContext(ws, { io, cohort: "canary" });
 * assert.ok(ctx.deviceId.startsWith("r_") && ctx.idSource === "workspace" && ctx.cohort === "canary");
 * assert.equal(ctx.holdsFrom, "none");
 * await rm(ws, { recursive: true });
 * ```
 * @module
 */
import type { RolloutCohort, RolloutHold } from "../../core/rollout/mod.ts";
import type { CommandIO } from "../cli/command.ts";
import { type Enrollment, readEnrollment } from "../fleet/enrollment.ts";
import { fleetPaths } from "../fleet/fleet_paths.ts";
import { type CohortOption, rolloutCohort } from "./rollout_cohort.ts";
import { readRolloutHolds } from "./rollout_holds_file.ts";
import { workspaceRolloutId } from "./workspace_rollout_id.ts";

/** The device's side of every rollout decision of a run. */
export interface RolloutContext {
  /** The id buckets are drawn from. */
  deviceId: string;
  idSource: "enrollment" | "workspace";
  cohort?: RolloutCohort;
  /** The edge's holds by rollout id (empty: none known). */
  holds: Record<string, RolloutHold>;
  /** `edge`: this run's check-in answered them; `saved`: an earlier answer; `none`: none known. */
  holdsFrom: "edge" | "saved" | "none";
}

/** Options of {@linkcode openRolloutContext}. */
export interface RolloutContextOptions {
  io: CommandIO;
  /** `--cohort` / `DROVER_COHORT` (`cohortOption`). */
  cohort?: CohortOption;
  /** An enrolled device's check-in before deciding: the answer's holds, or `undefined` when it failed. */
  checkIn?: () => Promise<Record<string, RolloutHold> | undefined>;
}

/** Gathers the run's rollout context in `workspace` (see the module doc); warnings go to stderr. */
export async function openRolloutContext(
  workspace: string,
  options: RolloutContextOptions,
): Promise<RolloutContext> {
  const warn = (text: string) => options.io.stderr(`drover: rollout: ${text}\n`);
  let enrollment: Enrollment | undefined;
  try {
    enrollment = await readEnrollment(fleetPaths(workspace).enrollment);
  } catch (error) {
    warn(`${(error as Error).message}; deciding as a device that is not enrolled`);
  }
  const deviceId = enrollment?.deviceId ??
    (await workspaceRolloutId(workspace, { onReplaced: warn })).id;
  const context: RolloutContext = {
    deviceId,
    idSource: enrollment ? "enrollment" : "workspace",
    holds: Object.create(null),
    holdsFrom: "none",
  };
  const cohort = rolloutCohort(options.cohort, enrollment?.labels);
  if (cohort) context.cohort = cohort;
  const fresh = enrollment && options.checkIn ? await options.checkIn() : undefined;
  if (fresh) return { ...context, holds: fresh, holdsFrom: "edge" };
  try {
    const saved = await readRolloutHolds(workspace);
    if (saved) return { ...context, holds: saved.rollouts, holdsFrom: "saved" };
  } catch (error) {
    warn(`${(error as Error).message}; the signed percents alone apply`);
  }
  return context;
}
