/**
 * Private: a rollout as the dashboard shows it: what the operator API's document and the store's
 * record have in common, with the signed percent at the edge's clock (no device reach: a list
 * computes it for no rollout).
 */
import { percentAt } from "../../core/rollout/mod.ts";
import type { RolloutRecord } from "../fleet/fleet_store.ts";
import { effectivePercentOf, type RolloutDocument } from "../fleet/rollouts/rollout_document.ts";

/** The fields the dashboard's rollout views read (a {@linkcode RolloutDocument} is one). */
export type RolloutView = Pick<
  RolloutDocument,
  | "id"
  | "app"
  | "ref"
  | "commit"
  | "state"
  | "cap"
  | "reason"
  | "percentNow"
  | "effectivePercent"
  | "steps"
  | "publishedAt"
  | "counts"
  | "topErrors"
  | "updatedAt"
>;

/** The view of a store record at `now` (ms). */
export function rolloutView(record: RolloutRecord, now: number): RolloutView {
  const percentNow = percentAt(record.rollout, new Date(now));
  return {
    id: record.id,
    app: record.app,
    ref: record.ref,
    commit: record.commit,
    state: record.state,
    cap: record.cap,
    reason: record.reason,
    percentNow,
    effectivePercent: effectivePercentOf(percentNow, record.cap),
    steps: record.rollout.steps.map((s) => ({ afterHours: s.afterHours, percent: s.percent })),
    publishedAt: record.rollout.publishedAt,
    counts: record.counts,
    topErrors: record.topErrors,
    updatedAt: record.updatedAt,
  };
}

/** Order of the overview and the list: halted first (they need the operator), then paused, running, the rest. */
export const STATE_ORDER: Readonly<Record<string, number>> = {
  halted: 0,
  paused: 1,
  running: 2,
  ended: 3,
  done: 4,
};

/** The rollout's page. */
export function rolloutHref(id: string): string {
  return `/ui/rollouts/${encodeURIComponent(id)}`;
}
