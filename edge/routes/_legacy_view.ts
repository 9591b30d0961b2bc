/**
 * Private: what `GET /releases` (and `GET /` as JSON) offers legacy radiodan clients at a time
 * (DESIGN.md §9): core/trust `releasesDocument`'s legacy view, its rollouts read at the edge's
 * clock bounded by the served timestamp's expiry (core/rollout `effectiveNow`, as on devices), with
 * the edge's holds (the fleet's paused and halted rollouts). Legacy clients have no identity, so a
 * release reaches them only once its signed rollout is at 100% and the edge does not hold it.
 * A view without rollouts depends on nothing else (cached with the view); with some, the holds are
 * read per request, and when they cannot be (the fleet store fails) every rollout counts as held:
 * the edge may delay a rollout, never widen it.
 */
import { effectiveNow, MAX_ROLLOUT_HOLDS, percentAt, type RolloutHold } from "../../core/rollout/mod.ts";
import { type ReleasesDocument, releasesDocument } from "../../core/trust/mod.ts";
import { rolloutReleasesOf } from "../fleet/rollouts/rollout_releases.ts";
import type { RepoView } from "../repo_view.ts";

/** The edge's holds on the rollouts of `view` (by rollout id); rejects when it cannot tell. */
export type LegacyHolds = (view: RepoView) => Promise<Readonly<Record<string, RolloutHold>>>;

/** The inputs of one legacy document, and a cache key naming them (with the view's key). */
export interface LegacyInputs {
  now: Date;
  holds: Readonly<Record<string, RolloutHold>>;
  /** The rollouts at 100% and the holds: the document is the same while they are. */
  key: string;
}

/**
 * The inputs at `clockMs`: `undefined` when `view` has no signed rollout (the document depends on
 * the view alone), else the holds from `source` (none without one) and the rollouts at 100%.
 */
export function legacyInputs(
  view: RepoView,
  options: { clockMs: number; source?: LegacyHolds; log: (line: string) => void },
): Promise<LegacyInputs> | undefined {
  const rollouts = rolloutReleasesOf(view);
  if (rollouts.length === 0) return undefined;
  const clock = new Date(options.clockMs);
  const expires = view.timestampExpires;
  const now = expires && Number.isFinite(expires.getTime())
    ? effectiveNow(clock, { timestampExpires: expires })
    : clock;
  const full = rollouts.filter((r) => percentAt(r.rollout, now) >= 100).map((r) => r.rollout.id);
  return holdsOf(view, options).then((holds) => ({
    now,
    holds,
    key: `${full.join(",")} ${JSON.stringify(holds)}`,
  }));
}

/** The legacy document of `view` with `inputs` (none: the view has no rollout). */
export function legacyDocument(
  view: RepoView,
  inputs: LegacyInputs | undefined,
  clockMs: number,
): ReleasesDocument {
  const targets = view.targets.values();
  return inputs
    ? releasesDocument(targets, { now: inputs.now, holds: inputs.holds })
    : releasesDocument(targets, { now: new Date(clockMs) }); // no rollout: the time changes nothing
}

async function holdsOf(
  view: RepoView,
  options: { source?: LegacyHolds; log: (line: string) => void },
): Promise<Readonly<Record<string, RolloutHold>>> {
  if (!options.source) return {};
  try {
    const holds = await options.source(view);
    // the store answers at most this many (newest first): one not listed might be held
    if (Object.keys(holds).length < MAX_ROLLOUT_HOLDS) return holds;
    throw new RangeError(`${MAX_ROLLOUT_HOLDS} or more rollouts are held`);
  } catch (error) {
    options.log(
      `Cannot read rollout holds for /releases (every rollout held back from legacy clients): ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
    const all: Record<string, RolloutHold> = Object.create(null);
    for (const r of rolloutReleasesOf(view)) all[r.rollout.id] = { cap: 0, state: "paused" };
    return all;
  }
}
