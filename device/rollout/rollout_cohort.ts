/**
 * The device's rollout cohort: `--cohort canary` (or env `DROVER_COHORT`) marks a device that goes
 * first in every rollout (bucket 0, core/rollout); `--cohort none` unmarks one. Without either,
 * an enrolled device labelled `cohort=canary` (`drover enroll --label cohort=canary`) is a canary.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cohortOption, rolloutCohort } from "./rollout_cohort.ts";
 * const io = { stdout: () => {}, stderr: () => {}, env: { DROVER_COHORT: "canary" }, stderrIsTTY: false };
 * const parsed = { values: {}, positionals: [], json: false, command: "check" };
 * assert.equal(cohortOption(parsed, io), "canary");
 * assert.equal(rolloutCohort(undefined, { cohort: "canary" }), "canary");
 * assert.equal(rolloutCohort("none", { cohort: "canary" }), undefined);
 * ```
 * @module
 */
import type { RolloutCohort } from "../../core/rollout/mod.ts";
import type { CommandIO } from "../cli/command.ts";
import { optional, type Parsed } from "../cli/define_command.ts";
import { UsageError } from "../cli/usage_error.ts";

/** What `--cohort` may say. */
export type CohortOption = RolloutCohort | "none";

/** `--cohort`, else env `DROVER_COHORT`, else `undefined`; a `UsageError` for another value. */
export function cohortOption(parsed: Parsed, io: CommandIO): CohortOption | undefined {
  const value = optional(parsed, "cohort", { io, envName: "DROVER_COHORT" });
  if (value === undefined || value === "canary" || value === "none") return value;
  throw new UsageError(`--cohort (env DROVER_COHORT) must be canary or none, not '${value.slice(0, 40)}'`);
}

/** The cohort from the option, else from the enrollment's labels (`cohort=canary`). */
export function rolloutCohort(
  option: CohortOption | undefined,
  labels: Readonly<Record<string, string>> | undefined,
): RolloutCohort | undefined {
  if (option !== undefined) return option === "none" ? undefined : option;
  return labels?.cohort === "canary" ? "canary" : undefined;
}
