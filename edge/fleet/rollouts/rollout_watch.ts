/**
 * The edge's side of staged rollouts (DESIGN.md §9): it learns the signed rollouts from the
 * targets metadata it serves (synced into the fleet store once per metadata version), answers
 * check-ins with its holds, judges running rollouts by their signed halt rule after reports are
 * ingested (and on the periodic job), and carries out the operator's pause, resume and end.
 *
 * States: `running` (no cap: the signed percent alone; watched by the halt rule), `paused` (cap 0,
 * by the operator), `halted` (cap 0, by the halt rule; the reason gives the counts and the top error
 * codes), `ended` (by the operator: no cap, no longer watched; devices follow the signed percent),
 * `done` (its release is no longer the newest of its app and ref in the served metadata: no cap, no
 * longer watched; only a running rollout becomes done, when the edge syncs, or at once when resumed).
 * A halted or paused rollout stays so, superseded or not, until the operator resumes it (`running`
 * again, the halt rule counting afresh from the resume) or ends it. The halt rule counts the
 * devices reported since the edge registered the rollout (or the last resume). The edge only ever
 * lowers: devices take min(signed percent, cap).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SqliteFleetStore } from "../sqlite_fleet_store.ts";
 * import { RolloutWatch } from "./rollout_watch.ts";
 * const store = await SqliteFleetStore.open(":memory:");
 * const watch = new RolloutWatch({ timeoutMs: 3600_000, clock: Date.now });
 * assert.deepEqual({ ...await watch.holds(store, [{ name: "acme/radio", ref: "main" }]) }, {});
 * await store.close();
 * ```
 * @module
 */
import { NotFoundError } from "../../../core/errors.ts";
import { haltVerdict, type RolloutHold, type RolloutState } from "../../../core/rollout/mod.ts";
import { HttpError } from "../../http_error.ts";
import type { FleetStore } from "../fleet_store.ts";
import { type RolloutDocument, rolloutDocument } from "./rollout_document.ts";
import type { RolloutFilter, RolloutRecord, RolloutRelease, RolloutUpdate } from "./rollout_record.ts";

/** Running rollouts judged per query (the store's largest page). */
const PAGE = 500;

/** What the operator may do to a rollout. */
export type RolloutAction = "pause" | "resume" | "end";

/** Options of {@linkcode RolloutWatch}. */
export interface RolloutWatchOptions {
  /** The releases with a signed rollout in the metadata served now (absent: none). */
  releases?: () => Promise<readonly RolloutRelease[]> | readonly RolloutRelease[];
  /** A device that started and sent no outcome for this long has timed out. */
  timeoutMs: number;
  /** Milliseconds since the epoch. */
  clock: () => number;
  /** Where failures of background work are reported (default `console.error`). */
  log?: (line: string) => void;
}

const ACTIONS: Record<RolloutAction, { from: RolloutState[]; to: RolloutUpdate }> = {
  pause: { from: ["running"], to: { state: "paused", cap: 0, reason: "paused by the operator" } },
  resume: {
    from: ["paused", "halted", "ended"],
    to: { state: "running", cap: null, reason: "resumed by the operator", rewatch: true },
  },
  end: {
    from: ["running", "paused", "halted"],
    to: {
      state: "ended",
      cap: null,
      reason: "ended by the operator: the edge no longer holds or watches it",
    },
  },
};

function haltReason(verdict: string, record: RolloutRecord): string {
  const errors = record.topErrors.map((e) => `${e.code} ${e.devices}`).join(", ");
  return errors ? `${verdict}; top errors: ${errors}` : verdict;
}

/** Rollouts as the edge knows them, over one fleet store per call. */
export class RolloutWatch {
  #releases?: RolloutWatchOptions["releases"];
  #timeoutMs: number;
  #clock: () => number;
  #log: (line: string) => void;
  #synced = new WeakMap<readonly RolloutRelease[], WeakSet<FleetStore>>();

  constructor(options: RolloutWatchOptions) {
    if (!Number.isSafeInteger(options.timeoutMs) || options.timeoutMs < 1) {
      throw new RangeError("Cannot watch rollouts: 'timeoutMs' must be a positive integer");
    }
    this.#releases = options.releases;
    this.#timeoutMs = options.timeoutMs;
    this.#clock = options.clock;
    this.#log = options.log ?? ((line) => console.error(line));
  }

  #now(): Date {
    return new Date(this.#clock());
  }

  #read() {
    return { now: this.#now(), timeoutMs: this.#timeoutMs };
  }

  /**
   * Registers the rollouts of the current metadata in `store` and retires the running ones a newer
   * release supersedes (once per metadata version and store, unless `force`).
   */
  async sync(store: FleetStore, options: { force?: boolean } = {}): Promise<void> {
    if (!this.#releases) return;
    const releases = await this.#releases();
    let stores = this.#synced.get(releases);
    if (stores?.has(store) && !options.force) return;
    await store.syncRollouts(releases, { now: this.#now() });
    if (!stores) this.#synced.set(releases, stores = new WeakSet());
    stores.add(store);
  }

  /** {@linkcode sync}, failures logged (a device's request goes on with what the store knows). */
  async trySync(store: FleetStore): Promise<void> {
    try {
      await this.sync(store);
    } catch (error) {
      this.#log(`Cannot sync rollouts: ${(error as Error)?.message ?? error}`);
    }
  }

  /** The check-in answer's `rollouts`: the edge's holds on the rollouts of these apps and refs. */
  async holds(
    store: FleetStore,
    apps: readonly { name: string; ref: string }[],
  ): Promise<Record<string, RolloutHold>> {
    await this.trySync(store);
    return await store.rolloutHolds(apps);
  }

  /**
   * Judges the running rollouts (of `release` only, when given) by their halt rule; halts the
   * ones it trips (state `halted`, cap 0, the verdict and top error codes as reason). Resolves
   * with the rollouts halted now.
   */
  async evaluate(store: FleetStore, release?: { app: string; commit: string }): Promise<RolloutRecord[]> {
    const halted: RolloutRecord[] = [];
    // every running rollout, a page at a time (the cursor is a rollout's id: halting one keeps its place)
    let cursor: string | undefined;
    for (;;) {
      const filter = { ...release, states: ["running"] as RolloutState[], limit: PAGE, cursor };
      const running = await store.listRollouts(filter, this.#read());
      for (const record of running) {
        const verdict = haltVerdict(record.rollout.halt, record.watched);
        if (!verdict.halt) continue;
        const update = { state: "halted", cap: 0, reason: haltReason(verdict.reason, record) } as const;
        if (await store.updateRollout(record.id, update, { from: ["running"], now: this.#now() })) {
          halted.push({ ...record, ...update });
          this.#log(`rollout ${record.id} halted: ${update.reason}`);
        }
      }
      if (running.length < PAGE) return halted;
      cursor = running.at(-1)!.id;
    }
  }

  /** After a device's reports were stored: judges the rollouts of the releases they name (failures logged). */
  async afterReports(store: FleetStore, events: readonly { app: string; commit: string }[]): Promise<void> {
    const releases = new Map(events.map((e) => [`${e.app}\n${e.commit}`, { app: e.app, commit: e.commit }]));
    for (const release of releases.values()) {
      try {
        await this.evaluate(store, release);
      } catch (error) {
        this.#log(`Cannot judge rollouts of ${release.app} ${release.commit}: ${(error as Error)?.message}`);
      }
    }
  }

  /** The periodic job: sync, then judge every running rollout (timeouts count as time passes). */
  async tick(store: FleetStore): Promise<RolloutRecord[]> {
    await this.sync(store);
    return await this.evaluate(store);
  }

  /** The operator's list. */
  async list(store: FleetStore, filter: RolloutFilter = {}): Promise<RolloutDocument[]> {
    await this.trySync(store);
    const records = await store.listRollouts(filter, this.#read());
    const now = this.#now();
    const docs: RolloutDocument[] = [];
    for (const record of records) docs.push(await rolloutDocument(store, record, { now }));
    return docs;
  }

  /**
   * The records of the rollouts matching `filter` (counted at the edge's clock and timeout),
   * without the documents' device reach: cheap enough for a page listing many.
   */
  async records(store: FleetStore, filter: RolloutFilter = {}): Promise<RolloutRecord[]> {
    await this.trySync(store);
    return await store.listRollouts(filter, this.#read());
  }

  /** One rollout's record, without the document's device reach (`NotFoundError` when unknown). */
  async record(store: FleetStore, id: string): Promise<RolloutRecord> {
    await this.trySync(store);
    const record = await store.getRollout(id, this.#read());
    if (!record) {
      throw new NotFoundError(`Cannot find rollout ${id}: not in the metadata this edge has served`);
    }
    return record;
  }

  /** One rollout (`NotFoundError` when unknown). */
  async get(store: FleetStore, id: string): Promise<RolloutDocument> {
    await this.trySync(store);
    const record = await store.getRollout(id, this.#read());
    if (!record) {
      throw new NotFoundError(`Cannot find rollout ${id}: not in the metadata this edge has served`);
    }
    return await rolloutDocument(store, record, { now: this.#now() });
  }

  /**
   * The operator's `pause` (running -> paused, cap 0), `resume` (paused, halted or ended ->
   * running, no cap, the halt rule counting afresh) or `end` (-> ended, no cap, no longer
   * watched). Already there: unchanged. Otherwise 409 `E_CONFLICT`.
   */
  async act(store: FleetStore, id: string, action: RolloutAction): Promise<RolloutDocument> {
    const { from, to } = ACTIONS[action];
    const before = await this.get(store, id);
    if (before.state === to.state) return before;
    if (!await store.updateRollout(id, to, { from, now: this.#now() })) {
      const now = await store.getRollout(id, this.#read());
      throw new HttpError(409, `Cannot ${action} rollout ${id}: it is ${now?.state ?? "gone"}`, {
        code: "E_CONFLICT",
      });
    }
    // running again: superseded meanwhile, it is done at once (no hold either way; not watched)
    if (to.state === "running") await this.sync(store, { force: true });
    return await this.get(store, id);
  }
}
