/**
 * A token bucket per key (a device id), in memory: each key may send `burst` requests at once and
 * `perMinute` more every minute after. One limiter per app, so per process on Deno and per isolate
 * on Workers: a flood from one device is cut to that rate wherever it lands, without a shared store.
 * Memory stays bounded: at most `maxKeys` buckets are tracked; when full, buckets that have
 * refilled (which are the same as no bucket) are dropped first, then the oldest tenth.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RateLimiter } from "./rate_limiter.ts";
 * const limiter = new RateLimiter({ burst: 2, perMinute: 60 });
 * assert.equal(limiter.take("d_1", 0), 0);
 * assert.equal(limiter.take("d_1", 0), 0);
 * assert.equal(limiter.take("d_1", 0), 1000, "empty: one token back in a second");
 * assert.equal(limiter.take("d_2", 0), 0, "another key has its own bucket");
 * assert.equal(limiter.take("d_1", 1000), 0);
 * ```
 * @module
 */

/** Options of {@linkcode RateLimiter}. */
export interface RateLimiterOptions {
  /** Requests a key may send at once (at least 1). */
  burst: number;
  /** Requests per minute a key may keep sending (0: only the burst, never refilled). */
  perMinute: number;
  /** Most buckets tracked at once (default 10000). */
  maxKeys?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Token buckets by key. */
export class RateLimiter {
  #burst: number;
  #perMs: number;
  #maxKeys: number;
  #buckets = new Map<string, Bucket>();

  constructor(options: RateLimiterOptions) {
    const { burst, perMinute, maxKeys = 10_000 } = options;
    if (!Number.isFinite(burst) || burst < 1) {
      throw new RangeError("Cannot limit rate: burst must be at least 1");
    }
    if (!Number.isFinite(perMinute) || perMinute < 0) {
      throw new RangeError("Cannot limit rate: perMinute must be a non-negative number");
    }
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) {
      throw new RangeError("Cannot limit rate: maxKeys must be a positive integer");
    }
    this.#burst = burst;
    this.#perMs = perMinute / 60_000;
    this.#maxKeys = maxKeys;
  }

  /** How many buckets are tracked. */
  get size(): number {
    return this.#buckets.size;
  }

  /**
   * Take one token of `key`'s bucket at time `now` (ms): resolves 0 when there was one, else how
   * many milliseconds until there is (`Infinity` when the bucket never refills).
   */
  take(key: string, now: number): number {
    let bucket = this.#buckets.get(key);
    if (bucket) {
      bucket.tokens = this.#refilled(bucket, now);
      bucket.at = now;
    } else {
      this.#makeRoom(now);
      bucket = { tokens: this.#burst, at: now };
      this.#buckets.set(key, bucket);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return this.#perMs === 0 ? Infinity : Math.ceil((1 - bucket.tokens) / this.#perMs);
  }

  #refilled(bucket: Bucket, now: number): number {
    return Math.min(this.#burst, bucket.tokens + Math.max(0, now - bucket.at) * this.#perMs);
  }

  #makeRoom(now: number): void {
    if (this.#buckets.size < this.#maxKeys) return;
    for (const [key, bucket] of this.#buckets) {
      if (this.#refilled(bucket, now) >= this.#burst) this.#buckets.delete(key);
    }
    // Still full: forget the oldest tenth (Map order is insertion order), so sweeps stay rare.
    const keep = Math.floor(this.#maxKeys * 0.9);
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size <= keep) break;
      this.#buckets.delete(key);
    }
  }
}
