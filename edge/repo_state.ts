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
import { emptyView, type ImageEntry, loadView, type RepoView, viewKey } from "./repo_view.ts";
import type { ResolvedConfig } from "./_config.ts";
import type { ResponseSpec } from "./http.ts";

/** Online keys the edge may hold. */
export interface EdgeKeys {
  snapshot?: KeyPair;
  timestamp?: KeyPair;
}

const MAX_CACHE = 4096;

interface CachedResponse {
  spec: ResponseSpec;
  until: number;
  response?: Response;
}

function toResponse(spec: ResponseSpec): Response {
  return new Response(spec.body, { status: spec.status ?? 200, headers: spec.headers });
}

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
  #responses = new Map<string, CachedResponse>();
  /** Responses of the current view keyed by request URL alone: the fast lane's table. */
  #byUrl = new Map<string, CachedResponse>();
  #resolved = new Map<string, { entry: ImageEntry; until: number }>();
  #lock: Promise<unknown> = Promise.resolve();

  constructor(storage: Storage, options: { config: ResolvedConfig; keys: EdgeKeys }) {
    this.storage = storage;
    this.config = options.config;
    this.keys = options.keys;
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
    this.#byUrl.clear();
    this.#resolved.clear();
  }

  /**
   * A response built once until the view changes or `ttlMs` passes; only successful responses are
   * cached (`build` throws otherwise). With `reuseResponses` (Deno) a cached `Response` is cloned: a clone
   * copies the validated header list, which is cheaper than building headers per request; elsewhere
   * (workerd forbids sharing a body between requests) a fresh `Response` is made from the cached parts.
   */
  respond(key: string, build: () => ResponseSpec, options: { ttlMs?: number } = {}): Response {
    return this.#cached(this.#responses, key, build, options.ttlMs ?? Infinity);
  }

  /**
   * {@linkcode respond} for a response that depends only on the request URL and the view: it is also
   * what {@linkcode cachedFor} answers, so repeated GETs of `url` skip the router.
   */
  respondByUrl(
    at: { view: RepoView; url: string },
    build: () => ResponseSpec,
    options: { ttlMs?: number } = {},
  ): Response {
    const { view, url } = at;
    const ttlMs = options.ttlMs ?? Infinity;
    // Built from an older view (a refresh finished meanwhile): keyed by that view, never in the fast lane.
    if (view !== this.#view) return this.#cached(this.#responses, `${viewKey(view)} ${url}`, build, ttlMs);
    return this.#cached(this.#byUrl, url, build, ttlMs);
  }

  #cached(map: Map<string, CachedResponse>, key: string, build: () => ResponseSpec, ttlMs: number): Response {
    const now = ttlMs === Infinity ? 0 : this.config.clock();
    const hit = map.get(key);
    if (hit && hit.until > now) return this.#emit(hit);
    const spec = build();
    const entry: CachedResponse = { spec, until: now + ttlMs };
    if (this.config.reuseResponses) entry.response = toResponse(spec);
    if (map.size >= MAX_CACHE) map.clear();
    map.set(key, entry);
    return this.#emit(entry);
  }

  #emit(entry: CachedResponse): Response {
    return entry.response ? entry.response.clone() : toResponse(entry.spec);
  }

  /**
   * Fast lane in front of the router: the cached response for this GET URL, if the view is fresh and
   * the entry unexpired; `undefined` otherwise (the router then runs as usual). One map lookup by the
   * URL string as the runtime hands it over (no URL parsing, no key building) and one clock read.
   */
  cachedFor(url: string): Response | undefined {
    const hit = this.#byUrl.get(url);
    if (hit === undefined) return undefined;
    const now = this.config.clock();
    if (now - this.#checkedAt >= this.config.metadataTtlMs || hit.until <= now) return undefined;
    return this.#emit(hit);
  }

  /** `resolveVersion` over a device type's images, cached for `resolutionTtlMs`. */
  resolveImage(
    view: RepoView,
    ask: { slug: string; request: string; variant: "prod" | "dev" },
  ): ImageEntry {
    const { slug, request, variant } = ask;
    const key = `${slug}\n${variant}\n${request}`;
    const now = this.config.clock();
    const hit = this.#resolved.get(key);
    if (hit && hit.until > now) return hit.entry;
    const entry = resolveVersion(view.images.get(slug) ?? [], request, { variant });
    if (this.#resolved.size >= MAX_CACHE) this.#resolved.clear();
    this.#resolved.set(key, { entry, until: now + this.config.resolutionTtlMs });
    return entry;
  }

  /**
   * Runs `task` after every earlier one (publishing and renewal never interleave), holding the
   * storage's lock when it has one (other edges on the same directory or bucket, `drover-repo`),
   * waiting for it up to `waitMs` (the storage's default when unset), then `TransientError`.
   */
  exclusive<T>(task: () => Promise<T>, options: { waitMs?: number } = {}): Promise<T> {
    const locked = async () => {
      const lock = await this.storage.lock?.(options);
      try {
        return await task();
      } finally {
        await lock?.release();
      }
    };
    const run = this.#lock.then(locked, locked);
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
      const writer = await RepositoryWriter.open(this.storage, this.keys, {
        now: new Date(this.config.clock()),
      });
      await writer.renewTimestamp();
      this.#renewals++;
    }, { waitMs: 0 }).finally(() => (this.#renewing = undefined)); // a writer holding the lock renews anyway
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
      this.#byUrl.clear();
      this.#resolved.clear();
      view = bytes ? await loadView(this.storage, bytes) : emptyView();
    }
    if (this.#due(view)) {
      try {
        await this.#renew();
        this.#responses.clear();
        this.#byUrl.clear();
        this.#resolved.clear();
        view = await loadView(this.storage);
      } catch (error) {
        this.config.log(`Cannot renew timestamp: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (view !== this.#view) this.#byUrl.clear(); // nothing built from an older view stays in the fast lane
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
