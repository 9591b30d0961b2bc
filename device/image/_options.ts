/**
 * Private: the option and result types of the image cache (re-exported by `image_cache.ts`).
 * @module
 */
import type { FetchPolicy } from "../net/fetch.ts";

/** Options of `ImageCache`. */
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
  /** Download a new image by delta from the cached images of its device type when it has a chunked form (default true). */
  delta?: boolean;
  /** Warnings (offline fallback, dropped corrupt entries). */
  onWarning?: (message: string) => void;
}

/** Options of one `ImageCache.get`. */
export interface GetImageOptions {
  variant?: "prod" | "dev";
  signal?: AbortSignal;
  /**
   * Re-hash a cached image in full before serving it, so a corrupt copy is fetched again before the first
   * byte is handed out (for consumers that cannot take bytes back). Without it a corrupt copy is found while
   * the stream is read: the stream errors with `IntegrityError`.
   */
  verify?: boolean;
  onProgress?: (bytes: number, total: number) => void;
}

/** A resolved image: its bytes as a stream (consume or cancel it) and what they are. */
export interface ImageResult {
  /** The image, verified while it streams: it errors with `IntegrityError` (entry dropped) on a mismatch. */
  stream: ReadableStream<Uint8Array>;
  deviceType: string;
  version: string;
  variant: "prod" | "dev";
  sha256: string;
  size: number;
  fromCache: boolean;
  /** The cached file (the stream reads it). */
  path: string;
  /** When this get downloaded it by delta: bytes fetched (index and pack ranges) and saved. */
  delta?: { fetched: number; saved: number };
}

/** One image version offered by the repository. */
export interface ImageVersion {
  version: string;
  variant: "prod" | "dev";
  prerelease: boolean;
  /** What `recommended` resolves to for this variant: the newest signed as recommended, else the newest
   * non-pre-release (one per variant at most; the edge's `GET /v1/images/<deviceType>` marks the same). */
  recommended: boolean;
  size: number;
  sha256: string;
  cached: boolean;
}
