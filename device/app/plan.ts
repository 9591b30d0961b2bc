/**
 * The update plan: what to do about each app, decided once per run from the scanned target, the
 * repository's offers (`check`, `update`) or the pending records alone (`install`), the pending
 * records and the commits marked bad. `check` carries it out up to the download; `install` (in
 * the same process for `update`) carries out the rest; neither decides again. A pending record on
 * disk is only the crash-resume record of an earlier plan.
 *
 * With offers the candidate is chosen among the signed releases of the app and ref under their
 * staged rollouts (`choose_offer.ts`, with the device's `rollout` inputs): the newest that includes
 * the device, so a new device takes an older release while the newest is still at 5%.
 *
 * Actions: `not-offered`; `up-to-date`; `held-back` (a newer release's rollout does not include the
 * device yet, or the edge withdrew it: the device stays where it is; `rollout` says why); `held`
 * (the candidate is marked bad, or older than the installed release without signed permission:
 * refused once, with its reason); `install` (download unless the blob is there, then install
 * `release`); `finish` (`release` is current already: an install interrupted after its switch,
 * confirmed by the health check); `unavailable` (a pending record whose app is gone or broken).
 *
 * Apps are told apart by their key (`app_key.ts`: the name, or `name@ref` where the target holds the
 * name on more than one ref): the commits marked bad in `status.json` are looked up by it, and an
 * app's pending record is the one of its directory, else of its name and ref, else (a name on one ref
 * only) of its name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planUpdate } from "./plan.ts";
 * const app = { dir: "/t/radio", dirName: "radio", name: "acme/radio", ref: "main", commit: null };
 * const plan = planUpdate({ apps: [app], problems: [] }, {
 *   pending: { manifests: [], problems: [] },
 *   status: { version: 1, apps: {} },
 *   offers: { mode: "tuf", find: () => undefined },
 * });
 * assert.equal(plan.apps[0]?.action, "not-offered");
 * ```
 * @module
 */
import { NotFoundError, TrustError } from "../../core/errors.ts";
import type { PendingManifest, Status } from "../fs/workspace.ts";
import { assertNotDowngrade } from "./downgrade.ts";
import type { Offer, Offers } from "./offers.ts";
import { chooseOffer, type RolloutInputs, type RolloutView } from "./choose_offer.ts";
import type { App, AppProblem } from "./scan_apps.ts";
import { appKey, entryOf, refKey } from "./app_key.ts";
import { recordsOf } from "./app_records.ts";

/** What the plan does about one app (see the module doc). */
export type PlanAction =
  | "not-offered"
  | "up-to-date"
  | "held-back"
  | "held"
  | "install"
  | "finish"
  | "unavailable";

/** Why a candidate is held back. */
export type HoldReason = { reason: "bad" } | { reason: "downgrade"; error: TrustError };

/** The plan for one app (or, `unavailable`, one pending record without a usable app). */
export interface AppPlan {
  name: string;
  ref: string;
  /** The app's key (`app_key.ts`): its `status.json` entry and its pending record's. */
  key: string;
  dirName: string;
  action: PlanAction;
  /** The scanned app; `undefined` for `unavailable`. */
  app?: App;
  /** What the repository offers (with offers only). */
  offer?: Offer;
  /** The candidate release as a pending record: set for `install`, `finish` and `held`. */
  release?: PendingManifest;
  /** The pending record this app had on disk when the plan was made. */
  record?: PendingManifest;
  /** `install`: `release` is the record on disk (an earlier run's: its download may be there). */
  resume: boolean;
  /** The record on disk is not wanted any more (superseded, withdrawn, held, app gone). */
  dropRecord: boolean;
  /** `held`: why. */
  held?: HoldReason;
  /** `unavailable`: why the record cannot be installed. */
  error?: Error;
  /** The rollout decision that matters (a newer release passed over, else the one taken's), if any. */
  rollout?: RolloutView;
}

/** The plan of one run. */
export interface UpdatePlan {
  /** Where the offers came from; `undefined` when planned from the pending records alone. */
  mode?: "tuf" | "insecure-legacy";
  /** Scanned apps in scan order (with offers) or records in file order (without), then `unavailable` records. */
  apps: AppPlan[];
  /** Pending record files that could not be read. */
  problems: { file: string; message: string }[];
}

/** What the plan is made from, besides the scan. */
export interface PlanInputs {
  /** `Workspace.readPending()`. */
  pending: { manifests: PendingManifest[]; problems: { file: string; message: string }[] };
  /** `Workspace.readStatus()`: the commits marked bad. */
  status: Status;
  /** The repository's offers; without them the pending records are the candidates (`install`). */
  offers?: Offers;
  /** The device's side of rollout decisions; needed when an offered release has a rollout. */
  rollout?: RolloutInputs;
}

/**
 * The pending record for installing `offer` into `app` (`downloadedAt` is the planning time;
 * callers writing it set their own).
 */
export function recordFor(app: App, offer: Offer, mode: "tuf" | "insecure-legacy"): PendingManifest {
  return {
    version: 1,
    name: app.name,
    ref: app.ref,
    commit: offer.commit,
    dirName: app.dirName,
    source: mode,
    blob: offer.key,
    length: offer.expected.length,
    sha256: offer.expected.sha256,
    sha1: offer.expected.sha1,
    sha384: offer.expected.sha384,
    sha512: offer.expected.sha512,
    serial: offer.serial,
    updated: offer.updated,
    appVersion: offer.version,
    allowDowngrade: mode === "tuf" && offer.allowDowngrade === true ? true : undefined,
    origin: offer.origin,
    url: offer.url.href,
    downloadedAt: new Date().toISOString(),
  };
}

/** Bad or downgrade: the one place both are decided. */
function holdOf(app: App, release: PendingManifest, bad: readonly string[]): HoldReason | undefined {
  if (bad.includes(release.commit)) return { reason: "bad" };
  // a first install has nothing to compare with; a ref switched by the operator neither; a damaged
  // app (`current` dangling) compares with the previous release it goes back to
  const installed = app.deploy ?? app.previous?.deploy;
  if (!installed || installed.ref !== app.ref) return undefined;
  try {
    assertNotDowngrade(installed, {
      ...release,
      allowDowngrade: release.source === "tuf" && release.allowDowngrade === true,
    });
    return undefined;
  } catch (error) {
    if (error instanceof TrustError) return { reason: "downgrade", error };
    throw error;
  }
}

const sameRelease = (a: PendingManifest, b: PendingManifest) =>
  a.commit === b.commit && a.blob === b.blob && a.dirName === b.dirName;

/** The plan for a scanned app whose candidate is `release` (`record`: its pending record, if any). */
function decide(
  app: App,
  release: PendingManifest,
  options: { record?: PendingManifest; offer?: Offer; bad: readonly string[] },
): AppPlan {
  const { record, offer } = options;
  const base = { name: app.name, ref: app.ref, key: appKey(app), dirName: app.dirName, app, offer, record };
  if (app.deploy && app.commit === release.commit.toLowerCase()) {
    // current already: an install that switched but did not finish left its record
    const finish = record !== undefined && record.commit.toLowerCase() === app.commit;
    return finish
      ? { ...base, action: "finish", release: record, resume: true, dropRecord: false }
      : { ...base, action: "up-to-date", resume: false, dropRecord: record !== undefined };
  }
  const resume = record !== undefined && sameRelease(record, release);
  const candidate = resume ? record : release;
  const held = holdOf(app, candidate, options.bad);
  if (held) return { ...base, action: "held", release: candidate, held, resume: false, dropRecord: !!record };
  return { ...base, action: "install", release: candidate, resume, dropRecord: !!record && !resume };
}

/** A record without a usable app: gone (dropped) or broken (kept for when it is repaired). */
function unavailable(record: PendingManifest, problems: readonly AppProblem[], key: string): AppPlan {
  const problem = problems.find((p) => p.dirName === record.dirName);
  const error = problem
    ? new Error(`Cannot install ${record.name}: ${problem.message}`)
    : new NotFoundError(`Cannot install ${record.name}: no such app in ${record.dirName}`);
  return {
    name: record.name,
    ref: record.ref,
    key,
    dirName: record.dirName,
    action: "unavailable",
    record,
    resume: false,
    dropRecord: !problem,
    error,
  };
}

/** Decides every app's action once (see the module doc). */
export function planUpdate(scan: { apps: App[]; problems: AppProblem[] }, inputs: PlanInputs): UpdatePlan {
  const { offers, status } = inputs;
  const bad = (app: App): readonly string[] => entryOf(status.apps, app).entry?.bad ?? [];
  const apps: AppPlan[] = [];
  const used = new Set<PendingManifest>();
  if (offers) {
    const records = recordsOf(scan.apps, inputs.pending.manifests);
    for (const app of scan.apps) {
      const record = records.get(app);
      if (record) used.add(record);
      const { offer, heldBack, rollout } = chooseOffer(app, offers, inputs.rollout);
      const shown = rollout ? { rollout } : {};
      if (!offer) {
        const base = {
          name: app.name,
          ref: app.ref,
          key: appKey(app),
          dirName: app.dirName,
          app,
          record,
          ...shown,
        };
        const action = heldBack ? "held-back" : "not-offered";
        apps.push({ ...base, action, resume: false, dropRecord: !!record });
        continue;
      }
      const entry = decide(app, recordFor(app, offer, offers.mode), { record, offer, bad: bad(app) });
      // the installed release, a newer one held back: nothing to do, and why
      if (heldBack && entry.action === "up-to-date") entry.action = "held-back";
      apps.push({ ...entry, ...shown });
    }
  } else {
    for (const record of inputs.pending.manifests) {
      const app = scan.apps.find((a) => a.name === record.name && a.dirName === record.dirName);
      if (!app) continue;
      used.add(record);
      apps.push(decide(app, record, { record, bad: bad(app) }));
    }
  }
  for (const record of inputs.pending.manifests) {
    if (used.has(record)) continue;
    const shared = scan.apps.some((a) => a.name === record.name && appKey(a) !== a.name) ||
      inputs.pending.manifests.some((m) => m !== record && m.name === record.name && m.ref !== record.ref);
    apps.push(unavailable(record, scan.problems, shared ? refKey(record.name, record.ref) : record.name));
  }
  return { mode: offers?.mode, apps, problems: inputs.pending.problems };
}
