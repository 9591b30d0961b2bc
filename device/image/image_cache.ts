/**
 * OS images by device type and version, with a verified cache (seed 000). Versions are resolved with core's
 * `resolveVersion` over the signed image targets of the repository (TUF), device-type aliases through the
 * signed `device-types.json` target. The cache is keyed by canonical device type, exact version and variant;
 * an entry is verified (length, sha256) while downloading and committed by rename, and verified again while
 * every read of it streams: a copy that went bad on disk never passes as good.
 *
 * - An exact version that is cached is served with no network round trip (size checked first; full sha256
 *   before the first byte with `verify: true`). `latest`, `recommended`, `default` and ranges re-resolve
 *   online, and fall back to the cache with a warning when the repository cannot be reached (`TransientError`).
 * - A read whose bytes do not match errors its stream with `IntegrityError` after the entry is dropped, so
 *   the next get fetches the image again; when it cannot (offline), that get fails with `IntegrityError`.
 * - Concurrent gets of one image share one download in a process and serialise across processes (a lock per
 *   sha256 in `<cacheDir>/partials/`); an interrupted download resumes with Range; a corrupt entry is
 *   dropped and fetched again; `maxBytes` evicts least recently used images; orphans are swept.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { ImageCache } from "./image_cache.ts";
 * const dir = await mkdtemp(join(tmpdir(), "images-"));
 * const cache = new ImageCache({ cacheDir: dir, api: "http://127.0.0.1:8787/", trustedRoot: "root.json" });
 * // cache.get("rpi4", "^2.88", { variant: "prod" }) resolves and caches; nothing is cached yet:
 * assert.equal((await cache.listCache()).length, 0);
 * await rm(dir, { recursive: true });
 * ```
 * @module
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import semver from "semver";
import { IntegrityError, TransientError } from "../../core/errors.ts";
import type { TrustedRepository } from "../../core/trust/mod.ts";
import { acquireLock } from "../fs/lock.ts";
import { fromRepository } from "../net/from_repository.ts";
import { openRepository } from "../net/trust_store.ts";
import { type CacheEntry, ImageStore } from "./_store.ts";
import {
  type Candidate,
  candidates,
  offlineSlug,
  onlineSlug,
  pick,
  recommendedOf,
  resolveImage,
} from "./_resolve.ts";
import { verifiedRead } from "./_verified_read.ts";
import { DroppedEntries } from "./_dropped.ts";
import { type Ensured, fetchEntry } from "./_fetch_entry.ts";
import type { GetImageOptions, ImageCacheOptions, ImageResult, ImageVersion } from "./_options.ts";

export type { CacheEntry } from "./_store.ts";
export type { GetImageOptions, ImageCacheOptions, ImageResult, ImageVersion } from "./_options.ts";

/** The image cache. */
export class ImageCache {
  #o: ImageCacheOptions;
  #store: ImageStore;
  #inflight = new Map<string, Promise<Ensured>>();
  #dropped = new DroppedEntries();

  constructor(options: ImageCacheOptions) {
    if (typeof options?.cacheDir !== "string" || options.cacheDir === "") {
      throw new TypeError("Cannot open image cache: cacheDir is required");
    }
    this.#o = options;
    this.#store = new ImageStore(options.cacheDir);
  }

  /** Gets an image (`versionOrRange`: exact, range, `latest` (default), `recommended`, `default`). */
  async get(
    deviceType: string,
    versionOrRange = "latest",
    options: GetImageOptions = {},
  ): Promise<ImageResult> {
    const variant = options.variant ?? "prod";
    const request = versionOrRange.trim() || "latest";
    if (semver.parse(request.replace(/^v/, "")) !== null) {
      const hit = await this.#fromCache(
        await offlineSlug(deviceType, this.#o.cacheDir),
        request,
        variant,
        options,
      );
      if (hit) return hit;
    }
    let repo: TrustedRepository;
    try {
      repo = await this.#repository();
    } catch (error) {
      if (!(error instanceof TransientError)) throw error;
      const slug = await offlineSlug(deviceType, this.#o.cacheDir);
      const hit = await this.#fromCache(slug, request, variant, options);
      if (!hit) throw this.#dropped.errorFor({ slug, request, variant }, error) ?? error;
      this.#o.onWarning?.(
        `offline (${error.message}): using cached ${hit.deviceType} ${hit.version} (${variant}), which may not be ${request}`,
      );
      return hit;
    }
    const slug = await onlineSlug(repo, deviceType, { ...this.#o, api: this.#o.api! });
    const chosen = resolveImage(repo, slug, request, variant);
    const { entry, downloaded, delta } = await this.#ensure(chosen, options);
    const result = await this.#serve(entry, !downloaded, options);
    return delta ? { ...result, delta } : result;
  }

  /**
   * The versions the repository offers for a device type (slug or alias), newest first; `recommended` marks
   * what `get(deviceType, "recommended")` of its variant resolves to.
   */
  async list(deviceType: string): Promise<ImageVersion[]> {
    const repo = await this.#repository();
    const slug = await onlineSlug(repo, deviceType, { ...this.#o, api: this.#o.api! });
    const cached = new Set((await this.#store.list()).map((e) => e.sha256));
    const offered = candidates(repo, slug);
    const recommended = recommendedOf(offered);
    return offered
      .sort((a, b) => semver.rcompare(a.version.replace(/^v/, ""), b.version.replace(/^v/, "")))
      .map((c) => ({
        version: c.version,
        variant: c.variant,
        prerelease: c.prerelease,
        recommended: recommended[c.variant] === c,
        size: c.target.length,
        sha256: c.target.hashes.sha256,
        cached: cached.has(c.target.hashes.sha256),
      }));
  }

  /** The cached images. */
  listCache(): Promise<CacheEntry[]> {
    return this.#store.list();
  }

  /** Removes every cached image and partial download; resolves to the number of images removed. */
  cleanCache(): Promise<number> {
    return this.#store.clean();
  }

  /** Evicts least recently used images until the cache fits `maxBytes`; `keep` is never evicted. */
  async evict(maxBytes: number, options: { keep?: string } = {}): Promise<CacheEntry[]> {
    if (!(maxBytes >= 0)) throw new RangeError("Cannot evict: maxBytes must be >= 0");
    const entries = (await this.#store.list()).sort((a, b) => a.accessedAt.localeCompare(b.accessedAt));
    let total = entries.reduce((n, e) => n + e.size, 0);
    const evicted: CacheEntry[] = [];
    for (const e of entries) {
      if (total <= maxBytes) break;
      if (e.sha256 === options.keep) continue;
      const release = await this.#tryLock(e.sha256);
      if (!release) continue;
      try {
        await this.#store.drop(e);
      } finally {
        await release();
      }
      total -= e.size;
      evicted.push(e);
    }
    return evicted;
  }

  /** Removes orphan files (see the module doc); resolves to the paths removed. */
  sweep(): Promise<string[]> {
    return this.#store.sweep((sha) => this.#tryLock(sha));
  }

  async #tryLock(sha256: string): Promise<(() => Promise<void>) | undefined> {
    await mkdir(this.#store.partials, { recursive: true });
    try {
      const lock = await acquireLock(join(this.#store.partials, `${sha256}.lock`));
      return () => lock.release();
    } catch (error) {
      if (error instanceof TransientError) return undefined;
      throw error;
    }
  }

  #repository(): Promise<TrustedRepository> {
    const api = this.#o.api;
    if (api === undefined) {
      throw new TransientError("Cannot resolve image: no repository URL (api) configured");
    }
    const tufDir = this.#o.tufDir ?? join(this.#o.cacheDir, "tuf");
    const url = new URL(api);
    return openRepository(url, tufDir, { ...this.#o.fetch, trustedRoot: this.#o.trustedRoot })
      .catch((error) => Promise.reject(fromRepository(error, url)));
  }

  async #fromCache(
    slug: string,
    request: string,
    variant: "prod" | "dev",
    options: GetImageOptions,
  ): Promise<ImageResult | undefined> {
    const entries = (await this.#store.list()).filter((e) => e.deviceType === slug && e.variant === variant);
    let entry: CacheEntry;
    try {
      entry = pick(entries, request, variant);
    } catch {
      return undefined;
    }
    if (!(await this.#store.intact(entry)) || (options.verify && !(await this.#store.verify(entry)))) {
      await this.#dropCorrupt(
        entry,
        new IntegrityError(`Cannot verify cached image ${entry.path}: size or sha256 mismatch`),
      );
      return undefined;
    }
    return await this.#serve(entry, true, options);
  }

  /** Drops an entry that failed verification (unless another process holds it) and remembers why. */
  async #dropCorrupt(entry: CacheEntry, error: IntegrityError): Promise<void> {
    this.#o.onWarning?.(`cached ${entry.deviceType} ${entry.version} (${entry.variant}) is corrupt: dropped`);
    this.#dropped.add(entry, error);
    const release = await this.#tryLock(entry.sha256);
    if (release) await this.#store.drop(entry).finally(release);
  }

  async #serve(entry: CacheEntry, fromCache: boolean, _options: GetImageOptions): Promise<ImageResult> {
    const touched = { ...entry, accessedAt: new Date().toISOString() };
    await this.#store.writeEntry(touched).catch(() => {}); // LRU bookkeeping; a read-only cache still serves
    return {
      stream: verifiedRead(entry.path, { length: entry.size, sha256: entry.sha256 }, {
        name: `cached image ${entry.path}`,
        onCorrupt: (error) => this.#dropCorrupt(entry, error),
      }),
      deviceType: entry.deviceType,
      version: entry.version,
      variant: entry.variant,
      sha256: entry.sha256,
      size: entry.size,
      fromCache,
      path: entry.path,
    };
  }

  /** The verified cache entry of `c`, downloading it once per process and once across processes. */
  #ensure(c: Candidate, options: GetImageOptions): Promise<Ensured> {
    const key = c.target.hashes.sha256;
    let p = this.#inflight.get(key);
    if (!p) {
      p = this.#download(c, options).finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, p);
    }
    return p;
  }

  async #download(c: Candidate, options: GetImageOptions): Promise<Ensured> {
    const sha256 = c.target.hashes.sha256;
    const dir = this.#store.entryDir(c.deviceType, c.version, c.variant);
    await mkdir(this.#store.partials, { recursive: true });
    const lock = await acquireLock(join(this.#store.partials, `${sha256}.lock`), {
      waitSeconds: this.#o.lockWaitSeconds ?? 3600,
      signal: options.signal,
    });
    try {
      return await fetchEntry(this.#store, c, {
        dir,
        api: this.#o.api!,
        fetch: this.#o.fetch,
        delta: this.#o.delta,
        onWarning: this.#o.onWarning,
        signal: options.signal,
        onProgress: options.onProgress,
      });
    } finally {
      await lock.release();
      if (this.#o.maxBytes !== undefined) await this.evict(this.#o.maxBytes, { keep: sha256 });
      await this.sweep().catch(() => {});
    }
  }
}

/**
 * Gets an image with a one-off {@linkcode ImageCache} (the seed's `get(deviceType, versionOrRange, options)`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getImage } from "./image_cache.ts";
 * // an exact version is looked up in the cache first; with no cache and no repository: TransientError
 * await getImage("rpi4", "1.0.0", { cacheDir: "/nonexistent/drover" }).catch((e) => assert.equal(e.code, "E_TRANSIENT"));
 * ```
 */
export function getImage(
  deviceType: string,
  versionOrRange: string | undefined,
  options: ImageCacheOptions & GetImageOptions,
): Promise<ImageResult> {
  return new ImageCache(options).get(deviceType, versionOrRange, options);
}
