/**
 * OS images by device type and version, with a verified cache (seed 000). Versions are resolved with core's
 * `resolveVersion` over the signed image targets of the repository (TUF), device-type aliases through the
 * signed `device-types.json` target. The cache is keyed by canonical device type, exact version and variant;
 * an entry is verified (length, sha256) while downloading and committed by rename, so a cached image is
 * always a verified one.
 *
 * - An exact version that is cached is served with no network round trip (size re-checked; full sha256 with
 *   `verify: true`). `latest`, `recommended`, `default` and ranges re-resolve online, and fall back to the
 *   cache with a warning when the repository cannot be reached (`TransientError`).
 * - Concurrent gets of one image share one download in a process and serialise across processes (a lock per
 *   sha256 in `<cacheDir>/partials/`); an interrupted download resumes with Range; a corrupt entry is
 *   dropped and fetched again; `maxBytes` evicts least recently used images; orphans are swept.
 *
 * @example
 * ```ts ignore
 * import { ImageCache } from "./image_cache.ts";
 * const cache = new ImageCache({ cacheDir: "/var/cache/drover", api: "http://127.0.0.1:8787/", trustedRoot: "root.json" });
 * const img = await cache.get("rpi4", "^2.88", { variant: "prod" });
 * await img.stream.pipeTo(new WritableStream());
 * ```
 * @module
 */
import { mkdir, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import semver from "semver";
import { NotFoundError, TransientError } from "../core/errors.ts";
import type { ImageCustom, TargetInfo, TrustedRepository } from "../core/trust/mod.ts";
import { DeviceTypes, resolveVersion } from "../core/version/mod.ts";
import { VerifyStream } from "../core/verify/mod.ts";
import { fsyncDir, writeFileAtomic } from "./atomic_file.ts";
import { downloadVerified, type FetchPolicy, fetchBytes } from "./fetch.ts";
import { acquireLock } from "./lock.ts";
import { openRepository } from "./trust_store.ts";
import { type CacheEntry, ImageStore } from "./_image_store.ts";
import { fileStream } from "./_streams.ts";

export type { CacheEntry } from "./_image_store.ts";

/** Options of {@linkcode ImageCache}. */
export interface ImageCacheOptions {
  cacheDir: string;
  /** Repository base URL (http, https, file). Needed for anything not served from the cache. */
  api?: URL | string;
  /** Provisioned root metadata file; else `<tufDir>/root.json` must exist. */
  trustedRoot?: string;
  /** Where trusted TUF metadata is kept (default `<cacheDir>/tuf`; the CLI passes `<workspace>/tuf`). */
  tufDir?: string;
  /** Cache budget in bytes: least recently used images are evicted after each download. */
  maxBytes?: number;
  /** Timeouts and retries of network requests. */
  fetch?: FetchPolicy;
  /** Seconds to wait for another process downloading the same image (default 3600). */
  lockWaitSeconds?: number;
  /** Warnings (offline fallback, dropped corrupt entries). */
  onWarning?: (message: string) => void;
}

/** Options of one {@linkcode ImageCache.get}. */
export interface GetImageOptions {
  variant?: "prod" | "dev";
  signal?: AbortSignal;
  /** Re-hash a cached image in full before serving it (default: size check only). */
  verify?: boolean;
  onProgress?: (bytes: number, total: number) => void;
}

/** A resolved image: its bytes as a stream (consume or cancel it) and what they are. */
export interface ImageResult {
  stream: ReadableStream<Uint8Array>;
  deviceType: string;
  version: string;
  variant: "prod" | "dev";
  sha256: string;
  size: number;
  fromCache: boolean;
  /** The cached file (the stream reads it). */
  path: string;
}

/** One image version offered by the repository. */
export interface ImageVersion {
  version: string;
  variant: "prod" | "dev";
  prerelease: boolean;
  recommended: boolean;
  size: number;
  sha256: string;
  cached: boolean;
}

type Candidate = ImageCustom & { target: TargetInfo };

/** resolveVersion over items that carry version, prerelease and variant. */
function pick<T extends { version: string; prerelease: boolean; variant: "prod" | "dev" }>(
  items: readonly T[],
  request: string,
  variant: "prod" | "dev",
): T {
  const entries = items.map((item) => ({ version: item.version, prerelease: item.prerelease, variant: item.variant, item }));
  return resolveVersion(entries, request, { variant }).item;
}

/** The image cache. */
export class ImageCache {
  #o: ImageCacheOptions;
  #store: ImageStore;
  #inflight = new Map<string, Promise<CacheEntry>>();

  constructor(options: ImageCacheOptions) {
    if (typeof options?.cacheDir !== "string" || options.cacheDir === "") {
      throw new TypeError("Cannot open image cache: cacheDir is required");
    }
    this.#o = options;
    this.#store = new ImageStore(options.cacheDir);
  }

  /** Gets an image (`versionOrRange`: exact, range, `latest` (default), `recommended`, `default`). */
  async get(deviceType: string, versionOrRange = "latest", options: GetImageOptions = {}): Promise<ImageResult> {
    const variant = options.variant ?? "prod";
    const request = versionOrRange.trim() || "latest";
    if (semver.parse(request.replace(/^v/, "")) !== null) {
      const hit = await this.#fromCache(await this.#offlineSlug(deviceType), request, variant, options);
      if (hit) return hit;
    }
    let repo: TrustedRepository;
    try {
      repo = await this.#repository();
    } catch (error) {
      if (!(error instanceof TransientError)) throw error;
      const hit = await this.#fromCache(await this.#offlineSlug(deviceType), request, variant, options);
      if (!hit) throw error;
      this.#o.onWarning?.(
        `offline (${error.message}): using cached ${hit.deviceType} ${hit.version} (${variant}), which may not be ${request}`,
      );
      return hit;
    }
    const slug = await this.#slug(repo, deviceType);
    const chosen = this.#resolve(repo, slug, request, variant);
    const entry = await this.#ensure(chosen, options);
    return await this.#serve(entry, false, options);
  }

  /** The versions the repository offers for a device type (slug or alias), newest first. */
  async list(deviceType: string): Promise<ImageVersion[]> {
    const repo = await this.#repository();
    const slug = await this.#slug(repo, deviceType);
    const cached = new Set((await this.#store.list()).map((e) => e.sha256));
    return this.#candidates(repo, slug)
      .sort((a, b) => semver.rcompare(a.version.replace(/^v/, ""), b.version.replace(/^v/, "")))
      .map((c) => ({
        version: c.version,
        variant: c.variant,
        prerelease: c.prerelease,
        recommended: c.recommended === true,
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
    if (api === undefined) throw new TransientError("Cannot resolve image: no repository URL (api) configured");
    const tufDir = this.#o.tufDir ?? join(this.#o.cacheDir, "tuf");
    return openRepository(new URL(api), tufDir, { ...this.#o.fetch, trustedRoot: this.#o.trustedRoot });
  }

  async #slug(repo: TrustedRepository, deviceType: string): Promise<string> {
    let target: TargetInfo;
    try {
      target = repo.deviceTypesTarget();
    } catch (error) {
      if (error instanceof NotFoundError) return deviceType; // a repository without aliases
      throw error;
    }
    const base = new URL(String(this.#o.api).replace(/\/?$/, "/"));
    const bytes = await fetchBytes(new URL(target.url, base), { ...this.#o.fetch, maxLength: target.length });
    if (!bytes) throw new TransientError(`Cannot list device types: ${target.url} is missing`);
    const types = new DeviceTypes(repo.deviceTypes(bytes));
    await mkdir(this.#o.cacheDir, { recursive: true });
    await writeFileAtomic(join(this.#o.cacheDir, "device-types.json"), bytes);
    return types.resolve(deviceType).slug;
  }

  /** The canonical slug from the last verified device-types document, else the name as given. */
  async #offlineSlug(deviceType: string): Promise<string> {
    try {
      const doc = JSON.parse(await readFile(join(this.#o.cacheDir, "device-types.json"), "utf8"));
      return new DeviceTypes(doc.deviceTypes).resolve(deviceType).slug;
    } catch {
      return deviceType;
    }
  }

  #candidates(repo: TrustedRepository, slug: string): Candidate[] {
    return repo.images(slug).map((t) => ({ ...(t.custom as ImageCustom), target: t }));
  }

  #resolve(repo: TrustedRepository, slug: string, request: string, variant: "prod" | "dev"): Candidate {
    const images = this.#candidates(repo, slug);
    if (images.length === 0) throw new NotFoundError(`Cannot get image: no images for device type '${slug}'`);
    return pick(images, request, variant);
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
    if (!(await this.#store.intact(entry)) || (options.verify && !(await this.#hashes(entry)))) {
      this.#o.onWarning?.(`cached ${slug} ${entry.version} (${variant}) is corrupt: dropped`);
      const release = await this.#tryLock(entry.sha256);
      if (release) await this.#store.drop(entry).finally(release);
      return undefined;
    }
    return await this.#serve(entry, true, options);
  }

  async #hashes(entry: CacheEntry): Promise<boolean> {
    const verify = new VerifyStream({ length: entry.size, sha256: entry.sha256 }, { name: entry.path });
    try {
      await fileStream(entry.path).pipeThrough(verify).pipeTo(new WritableStream());
      await verify.done;
      return true;
    } catch {
      return false;
    }
  }

  async #serve(entry: CacheEntry, fromCache: boolean, _options: GetImageOptions): Promise<ImageResult> {
    const touched = { ...entry, accessedAt: new Date().toISOString() };
    await this.#store.writeEntry(touched).catch(() => {}); // LRU bookkeeping; a read-only cache still serves
    return {
      stream: fileStream(entry.path),
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
  #ensure(c: Candidate, options: GetImageOptions): Promise<CacheEntry> {
    const key = c.target.hashes.sha256;
    let p = this.#inflight.get(key);
    if (!p) {
      p = this.#download(c, options).finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, p);
    }
    return p;
  }

  async #download(c: Candidate, options: GetImageOptions): Promise<CacheEntry> {
    const sha256 = c.target.hashes.sha256;
    const dir = this.#store.entryDir(c.deviceType, c.version, c.variant);
    await mkdir(this.#store.partials, { recursive: true });
    const lock = await acquireLock(join(this.#store.partials, `${sha256}.lock`), {
      waitSeconds: this.#o.lockWaitSeconds ?? 3600,
      signal: options.signal,
    });
    try {
      const existing = await this.#store.readEntry(dir);
      if (existing?.sha256 === sha256 && await this.#store.intact(existing)) return existing;
      if (existing) {
        if (existing.sha256 === sha256) this.#o.onWarning?.(`cached ${c.deviceType} ${c.version} is corrupt: fetching again`);
        await this.#store.drop(existing);
      }
      const base = new URL(String(this.#o.api).replace(/\/?$/, "/"));
      const blob = await downloadVerified(new URL(c.target.url, base), {
        ...this.#o.fetch,
        signal: options.signal ?? this.#o.fetch?.signal,
        downloads: this.#store.partials,
        key: sha256,
        expected: { length: c.target.length, sha256 },
        name: c.target.path,
        onProgress: (bytes) => options.onProgress?.(bytes, c.target.length),
      });
      await mkdir(dir, { recursive: true });
      const now = new Date().toISOString();
      const entry: CacheEntry = {
        deviceType: c.deviceType,
        version: c.version,
        variant: c.variant,
        sha256,
        size: c.target.length,
        prerelease: c.prerelease === true,
        recommended: c.recommended === true,
        target: c.target.path,
        addedAt: now,
        accessedAt: now,
        path: join(dir, `${sha256}.img`),
      };
      await rename(blob, entry.path);
      await fsyncDir(dir);
      await this.#store.writeEntry(entry);
      return entry;
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
 * ```ts ignore
 * import { getImage } from "./image_cache.ts";
 * const img = await getImage("rpi4", "recommended", { cacheDir: "/tmp/c", api: "http://127.0.0.1:8787/" });
 * await img.stream.cancel();
 * ```
 */
export function getImage(
  deviceType: string,
  versionOrRange: string | undefined,
  options: ImageCacheOptions & GetImageOptions,
): Promise<ImageResult> {
  return new ImageCache(options).get(deviceType, versionOrRange, options);
}
