/**
 * The edge's record of a staged rollout (DESIGN.md §9): the signed rollout of one app release as
 * the edge found it in the targets metadata it serves, the edge's hold on it (state and cap), and
 * its devices counted by the outcome of their install, from the fleet's reports.
 *
 * A device counts once per rollout, by its latest outcome for the release (app and commit):
 * `succeeded` (an `install ok`), `failed` (an `error` at the install, health or rollback stage),
 * `rolledBack` (a `rolled_back`), else it has started (a download, verify or health step, or a
 * download error it will retry): `inProgress` until its last report is older than the edge's
 * rollout timeout (`DROVER_ROLLOUT_TIMEOUT_MINUTES`), then `timedOut`. A later progress report
 * never undoes a finished outcome.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NO_ROLLOUT_COUNTS } from "./rollout_record.ts";
 * assert.equal(NO_ROLLOUT_COUNTS.timedOut, 0);
 * ```
 * @module
 */
import type { Rollout, RolloutState } from "../../../core/rollout/mod.ts";

/** A release whose app target carries a signed rollout (`custom.rollout`). */
export interface RolloutRelease {
  rollout: Rollout;
  /** `owner/app` */
  app: string;
  ref: string;
  commit: string;
  serial: number;
  /**
   * The serial of the newest release of its app and ref in the same metadata (with a rollout or
   * without); absent: its own. A rollout whose release is older is superseded: a running one is
   * `done` (no longer watched; DESIGN.md §9).
   */
  newestSerial?: number;
}

/** Devices of a rollout by the outcome of their install. */
export interface RolloutCounts {
  succeeded: number;
  failed: number;
  rolledBack: number;
  timedOut: number;
  inProgress: number;
}

/** Counts of nothing. */
export const NO_ROLLOUT_COUNTS: Readonly<RolloutCounts> = Object.freeze({
  succeeded: 0,
  failed: 0,
  rolledBack: 0,
  timedOut: 0,
  inProgress: 0,
});

/** A rollout as the fleet store keeps it. */
export interface RolloutRecord extends Omit<RolloutRelease, "newestSerial"> {
  id: string;
  state: RolloutState;
  /** Percent the edge holds the rollout to; `null`: no edge limit (the signed percent alone). */
  cap: number | null;
  /** Why it is in its state (the halt rule's verdict, the operator's action). */
  reason: string | null;
  /** When the edge first saw it in metadata. */
  createdAt: Date;
  updatedAt: Date;
  /**
   * The halt rule counts devices whose latest report arrived since then: when the edge registered
   * the rollout (`createdAt`, the edge's clock, as report times are), or the last resume.
   */
  watchedSince: Date;
  /** Every device of the rollout. */
  counts: RolloutCounts;
  /** The devices the halt rule judges (latest report since `watchedSince`). */
  watched: RolloutCounts;
  /** The most frequent error codes of failed or rolled back devices, most devices first. */
  topErrors: { code: string; devices: number }[];
}

/**
 * Failed and rolled back devices of a rollout grouped by outcome, stage and error code
 * (`FleetStore.rolloutFailures`): the stage and message are those of the device's latest `error`
 * report on the release (`null` when it sent none, or it is no longer kept).
 */
export interface RolloutFailureGroup {
  outcome: "failed" | "rolledBack";
  stage: string | null;
  code: string | null;
  devices: number;
  /** A few of the group's devices (by id), with the message of their error report. */
  examples: { deviceId: string; message: string | null }[];
}

/** What changes a rollout's hold ({@linkcode RolloutRecord.state}, `cap`, `reason`). */
export interface RolloutUpdate {
  state: RolloutState;
  cap: number | null;
  reason: string | null;
  /** Restart the halt rule's count from `now` (a resume). */
  rewatch?: boolean;
}

/** Filters of `FleetStore.listRollouts`; all given ones must match. */
export interface RolloutFilter {
  app?: string;
  commit?: string;
  states?: readonly RolloutState[];
  /** Newest first; default 50, at most 500. */
  limit?: number;
  /** Only the rollouts after this one (its id) in that order: the next page (none when it is unknown). */
  cursor?: string;
}
