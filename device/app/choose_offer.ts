/**
 * Which of the releases on offer for an app the plan takes, under their signed rollouts (core/rollout
 * `chooseRelease`): the newest whose rollout includes this device, the one it runs ending the search.
 * A release older than the installed one ends it too (taking it would be a downgrade), so a device
 * whose newer releases are all held back stays where it is (`heldBack`). The clock is the device's,
 * held to the signed time bounds of the offers (core/rollout `effectiveNow`): a clock ahead cannot
 * widen a rollout. Without rollouts this is `offers.find`.
 *
 * `rollout` shows the decision that matters to people: the newest release passed over (held back or
 * withdrawn), else the rollout of the release taken.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRollout } from "../../core/rollout/mod.ts";
 * import { chooseOffer } from "./choose_offer.ts";
 * const publishedAt = new Date("2026-03-01T00:00:00Z");
 * const offer = (commit: string, serial: number) => ({ name: "acme/radio", ref: "main", commit, serial,
 *   url: new URL(`http://127.0.0.1/${commit}`), expected: {}, key: commit, origin: commit });
 * const newest = { ...offer("bbbbbbb", 2), rollout: createRollout({ id: "r2", publishedAt, steps: "5,100@72h" }) };
 * const offers = { mode: "tuf" as const, find: () => newest, releases: () => [newest, offer("aaaaaaa", 1)],
 *   timeBounds: { timestampExpires: new Date("2026-03-02T00:00:00Z") } };
 * const app = { dir: "/t/radio", dirName: "radio", name: "acme/radio", ref: "main", commit: null };
 * const canary = chooseOffer(app, offers, { deviceId: "d_1", now: publishedAt, cohort: "canary" });
 * assert.equal(canary.offer?.commit, "bbbbbbb");
 * assert.equal(canary.rollout?.included, true);
 * ```
 * @module
 */
import { TrustError } from "../../core/errors.ts";
import {
  chooseRelease,
  effectiveNow,
  type RolloutCohort,
  type RolloutDecision,
  type RolloutHold,
} from "../../core/rollout/mod.ts";
import { assertNotDowngrade } from "./downgrade.ts";
import type { Offer, Offers } from "./offers.ts";
import type { App } from "./scan_apps.ts";

/** What the plan knows of the device for rollout decisions (`device/rollout/rollout_context.ts`). */
export interface RolloutInputs {
  /** The id buckets are drawn from. */
  deviceId: string;
  /** The device clock (held to the offers' signed time bounds). */
  now: Date;
  cohort?: RolloutCohort;
  /** The edge's holds by rollout id. */
  holds?: Readonly<Record<string, RolloutHold>>;
}

/** A rollout decision about one release, as `check --json` shows it. */
export interface RolloutView {
  /** The rollout id. */
  id: string;
  /** The release it is about. */
  commit: string;
  serial: number | null;
  included: boolean;
  bucket: number;
  cohort?: RolloutCohort;
  /** The signed percent now. */
  percentNow: number;
  /** The edge's cap, `null` when none. */
  cap: number | null;
  effectivePercent: number;
  nextStep?: { percent: number; at: string };
  /** The edge withdrew the release (halted, cap 0). */
  withdrawn: boolean;
  /** One line for people: `held back by rollout R: bucket 63.27, at 25% now, 100% from …`. */
  reason: string;
}

/** The outcome of {@linkcode chooseOffer}. */
export interface OfferChoice {
  /** The release to plan with: newer than the installed one, or the installed one; none when nothing fits. */
  offer: Offer | undefined;
  /** A newer release's rollout leaves the device where it is (with `offer` the installed one, or none). */
  heldBack: boolean;
  rollout?: RolloutView;
}

/**
 * Choose among the offers for `app` (see the module doc). `TypeError` when a release has a rollout
 * and `rollout` or the offers' time bounds are missing (deciding without them could widen it).
 */
export function chooseOffer(app: App, offers: Offers, rollout?: RolloutInputs): OfferChoice {
  const list = offers.releases?.(app.name, app.ref) ??
    [offers.find(app.name, app.ref)].flatMap((o) => o ?? []);
  if (!list.some((o) => o.rollout)) return { offer: list[0], heldBack: false };
  const bounds = offers.timeBounds;
  if (!rollout || !bounds) {
    throw new TypeError(
      `Cannot plan ${app.name}: its releases have rollouts, and the device's side is missing`,
    );
  }
  const candidates = list.map((offer) => ({ offer, rollout: offer.rollout, current: notNewer(app, offer) }));
  const choice = chooseRelease(candidates, {
    deviceId: rollout.deviceId,
    now: effectiveNow(rollout.now, bounds),
    cohort: rollout.cohort,
    holds: rollout.holds,
  });
  const passed = choice.skipped[0];
  const shown = passed ??
    (choice.chosen && choice.decision
      ? { candidate: choice.chosen, decision: choice.decision, withdrawn: false }
      : undefined);
  const view = shown && viewOf(shown.candidate.offer, shown.decision, shown.withdrawn);
  const chosen = choice.chosen;
  const stays = !chosen || (passed !== undefined && chosen.current);
  // an older release than the installed one ends the search but is never taken for a newer one held back
  const offer = stays && chosen?.offer.commit.toLowerCase() !== app.commit ? undefined : chosen?.offer;
  return { offer, heldBack: passed !== undefined && stays, ...(view ? { rollout: view } : {}) };
}

/** The installed release, or an older one (taking it would be a downgrade). */
function notNewer(app: App, offer: Offer): boolean {
  if (!app.deploy || app.commit === null || app.deploy.ref !== app.ref) return false;
  if (offer.commit.toLowerCase() === app.commit) return true;
  try {
    assertNotDowngrade(app.deploy, {
      name: offer.name,
      commit: offer.commit,
      serial: offer.serial,
      updated: offer.updated,
    });
    return false;
  } catch (error) {
    if (error instanceof TrustError) return true;
    throw error;
  }
}

function viewOf(offer: Offer, d: RolloutDecision, withdrawn: boolean): RolloutView {
  const view: RolloutView = {
    id: d.rolloutId,
    commit: offer.commit,
    serial: offer.serial ?? null,
    included: d.included,
    bucket: d.bucket,
    percentNow: d.percentNow,
    cap: d.cap,
    effectivePercent: d.effectivePercent,
    withdrawn,
    reason: withdrawn ? `withdrawn by the edge: rollout ${d.rolloutId} is halted` : d.reason,
  };
  if (d.cohort) view.cohort = d.cohort;
  if (d.nextStep) view.nextStep = d.nextStep;
  return view;
}
