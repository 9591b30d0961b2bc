/**
 * The edge's in-memory state: the current {@linkcode RepoView} (re-read when `tuf/timestamp.json`
 * changes, checked at most every `metadataTtlMs`), rendered documents per origin, the image
 * resolution cache, lazy timestamp renewal, and a publish lock.
 * @module
 */
import { resolveVersion } from "../core/version/mod.ts";
import { RepositoryWriter } from "../core/trust/mod.ts";
import type { KeyPair } from "../core/trust/mod.ts";
import type { Storage } from "./storage/storage.ts";
import { emptyView, type ImageEntry, loadView, type RepoView, viewKey } from "./_repo_view.ts";
import type { ResolvedConfig } from "./_config.ts";

/** Online keys the edge may hold. */
export interface EdgeKeys {
  snapshot?: KeyPair;
  timestamp?: KeyPair;
}

const MAX_CACHE = 4096;

/** Shared state behind the routes of one app. */
export class RepoState {
  readonly storage: Storage;
  readonly config: ResolvedConfig;
  readonly keys: EdgeKeys;
  #view?: RepoView;
  #checkedAt = -Infinity;
  #loading?: Promise<RepoView>;
  #renewing?: Promise<void>;
  #renewals = 0;
  #responses = new Map<string, { response: Response; until: number }>();
  #resolved = new Map<string, { entry: ImageEntry; until: number }>();
  #lock: Promise<unknown> = Promise.resolve();

  constructor(storage: Storage, config: ResolvedConfig, keys: EdgeKeys) {
    this.storage = storage;
    this.config = config;
    this.keys = keys;
  }

  /** The current view; re-reads metadata when stale and renews the timestamp when due. */
  view(): Promise<RepoView> | RepoView {
    const now = this.config.clock();
    if (this.#view && now - this.#checkedAt < this.config.metadataTtlMs) return this.#view;
    return this.#loading ??= this.#refresh().finally(() => (this.#loading = undefined));
  }

  /** Forget everything cached (after a publish or a renewal). */
  invalidate(): void {
    this.#checkedAt = -Infinity;
    this.#view = undefined;
    this.#responses.clear();
    this.#resolved.clear();
  }

  /**
   * A response built once and served as clones (cheaper than building headers per request) until
   * the view changes or `ttlMs` passes. Only successful responses are cached (`build` throws otherwise).
   */
  respond(key: string, ttlMs: number, build: () => Response): Response {
    const now = ttlMs === Infinity ? 0 : this.config.clock();
    const hit = this.#responses.get(key);
    if (hit && hit.until > now) return hit.response.clone();
    const response = build();
    if (this.#responses.size >= MAX_CACHE) this.#responses.clear();
    this.#responses.set(key, { response, until: now + ttlMs });
    return response.clone();
  }

  /** The cache key of a response that depends only on the request URL (and the view). */
  urlKey(view: RepoView, url: string): string {
    return `${viewKey(view)} ${url}`;
  }

  /**
   * Fast lane in front of the router: a clone of the cached response for this GET URL, if the view
   * is fresh and the entry unexpired; `undefined` otherwise (the router then runs as usual).
   */
  cachedFor(url: string): Response | undefined {
    const view = this.#view;
    if (!view || this.#responses.size === 0) return undefined;
    const now = this.config.clock();
    if (now - this.#checkedAt >= this.config.metadataTtlMs) return undefined;
    const hit = this.#responses.get(`${viewKey(view)} ${url}`);
    return hit && hit.until > now ? hit.response.clone() : undefined;
  }

  /** `resolveVersion` over a device type's images, cached for `resolutionTtlMs`. */
  resolveImage(view: RepoView, slug: string, request: string, variant: "prod" | "dev"): ImageEntry {
    const key = `${slug}\n${variant}\n${request}`;
    const now = this.config.clock();
    const hit = this.#resolved.get(key);
    if (hit && hit.until > now) return hit.entry;
    const entry = resolveVersion(view.images.get(slug) ?? [], request, { variant });
    if (this.#resolved.size >= MAX_CACHE) this.#resolved.clear();
    this.#resolved.set(key, { entry, until: now + this.config.resolutionTtlMs });
    return entry;
  }

  /** Runs `task` after every earlier one (publishing and renewal never interleave). */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(task, task);
    this.#lock = run.catch(() => {});
    return run;
  }

  /** Renews `timestamp.json` when it expires within `renewMarginMs`; true when it did (now or while loading). */
  async renewIfDue(): Promise<boolean> {
    const before = this.#renewals;
    if (this.#due(await this.view())) {
      await this.#renew();
      this.invalidate();
    }
    return this.#renewals > before;
  }

  #renew(): Promise<void> {
    return this.#renewing ??= this.exclusive(async () => {
      if (!this.#due(await loadView(this.storage))) return;
      const writer = await RepositoryWriter.open(this.storage, this.keys, { now: new Date(this.config.clock()) });
      await writer.renewTimestamp();
      this.#renewals++;
    }).finally(() => (this.#renewing = undefined));
  }

  #due(view: RepoView): boolean {
    if (!this.keys.timestamp || !this.keys.snapshot || !view.timestampExpires) return false;
    return view.timestampExpires.getTime() - this.config.clock() < this.config.renewMarginMs;
  }

  async #refresh(): Promise<RepoView> {
    const checkedAt = this.config.clock();
    const bytes = await this.storage.get("tuf/timestamp.json");
    let view = this.#view;
    if (!view || !sameBytes(view.timestamp, bytes)) {
      this.#responses.clear();
      this.#resolved.clear();
      view = bytes ? await loadView(this.storage, bytes) : emptyView();
    }
    if (this.#due(view)) {
      try {
        await this.#renew();
        this.#responses.clear();
        this.#resolved.clear();
        view = await loadView(this.storage);
      } catch (error) {
        this.config.log(`Cannot renew timestamp: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    this.#view = view;
    this.#checkedAt = checkedAt;
    return view;
  }
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
