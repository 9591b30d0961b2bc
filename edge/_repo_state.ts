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
import type { ResponseSpec } from "./_http.ts";

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
  #viewKey = "";
  #checkedAt = -Infinity;
  #loading?: Promise<RepoView>;
  #renewing?: Promise<void>;
  #renewals = 0;
  #responses = new Map<string, CachedResponse>();
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
    this.#resolved.clear();
  }

  /**
   * A response built once until the view changes or `ttlMs` passes; only successful responses are
   * cached (`build` throws otherwise). With `reuseResponses` (Deno) a cached `Response` is cloned, which
   * is cheaper than building headers per request; elsewhere (workerd forbids sharing a body between
   * requests) a fresh `Response` is made from the cached parts.
   */
  respond(key: string, build: () => ResponseSpec, options: { ttlMs?: number } = {}): Response {
    const ttlMs = options.ttlMs ?? Infinity;
    const now = ttlMs === Infinity ? 0 : this.config.clock();
    const hit = this.#responses.get(key);
    if (hit && hit.until > now) return this.#emit(hit);
    const spec = build();
    const entry: CachedResponse = { spec, until: now + ttlMs };
    if (this.config.reuseResponses) entry.response = toResponse(spec);
    if (this.#responses.size >= MAX_CACHE) this.#responses.clear();
    this.#responses.set(key, entry);
    return this.#emit(entry);
  }

  #emit(entry: CachedResponse): Response {
    return entry.response ? entry.response.clone() : toResponse(entry.spec);
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
    const hit = this.#responses.get(`${this.#viewKey} ${url}`);
    return hit && hit.until > now ? this.#emit(hit) : undefined;
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
      const writer = await RepositoryWriter.open(this.storage, this.keys, {
        now: new Date(this.config.clock()),
      });
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
    this.#viewKey = viewKey(view);
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
