/**
 * The minimum-rate rule of downloads (a defence against slow retrieval): over each window of time spent
 * waiting for the network, the bytes that arrived must average at least `minRate` per second. Only time
 * spent waiting for the network counts: while the consumer is busy (hashing, extracting, fsync) the
 * body is not read, and a slow disk is not the server's fault.
 *
 * Windows are consecutive: once a full window of waiting has passed at a good enough rate, counting
 * starts again from zero. One guard may follow several connections of one download (each resume), so a
 * server that cuts and dribbles again does not start with a clean slate.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RateGuard } from "./rate_guard.ts";
 * const guard = new RateGuard({ minRate: 1024, windowMs: 1000, name: "timestamp.json" });
 * guard.record(4096, 500); // fast enough so far
 * assert.throws(() => guard.record(1, 10_000), { code: "E_TRANSIENT" }); // 4097 bytes in 10.5 s
 * ```
 * @module
 */
import { FETCH_DEFAULTS, type FetchPolicy } from "./fetch_policy.ts";
import { SlowRetrievalError } from "./slow_retrieval_error.ts";

/** Options of {@linkcode RateGuard}. */
export interface RateGuardOptions {
  /** Minimum average rate, bytes per second; 0 turns the guard off. */
  minRate: number;
  /** Window of network waiting time over which the rate is averaged, ms (> 0). */
  windowMs: number;
  /** What is downloaded, for the error message. */
  name: string;
}

/** Counts bytes against network waiting time; see the module doc. */
export class RateGuard {
  #minRate: number;
  #windowMs: number;
  #name: string;
  /** Network waiting time of the current window, ms. */
  #waited = 0;
  /** Bytes of the current window. */
  #bytes = 0;

  constructor(options: RateGuardOptions) {
    if (!(options.minRate >= 0) || !Number.isFinite(options.minRate)) {
      throw new RangeError(`Cannot guard ${options.name}: minRate must be a number >= 0`);
    }
    if (!(options.windowMs > 0) || !Number.isFinite(options.windowMs)) {
      throw new RangeError(`Cannot guard ${options.name}: windowMs must be a number > 0`);
    }
    this.#minRate = options.minRate;
    this.#windowMs = options.windowMs;
    this.#name = options.name;
  }

  /** The guard a policy asks for (`minRate`, `rateWindowMs`, or their defaults). */
  static forPolicy(policy: FetchPolicy, name: string): RateGuard {
    return new RateGuard({
      minRate: policy.minRate ?? FETCH_DEFAULTS.minRate,
      windowMs: policy.rateWindowMs ?? FETCH_DEFAULTS.rateWindowMs,
      name,
    });
  }

  /** Whether the guard checks anything (`minRate` > 0). */
  get enabled(): boolean {
    return this.#minRate > 0;
  }

  /**
   * Records `bytes` that arrived after `waitedMs` of waiting. Throws `SlowRetrievalError` when a full
   * window of waiting brought fewer bytes than the minimum rate asks; starts a new window otherwise.
   */
  record(bytes: number, waitedMs: number): void {
    this.#bytes += bytes;
    this.#waited += Math.max(0, waitedMs);
    this.check(0);
    if (this.#waited >= this.#windowMs) {
      this.#waited = 0;
      this.#bytes = 0;
    }
  }

  /**
   * Throws `SlowRetrievalError` if, counting `pendingMs` of a wait still in progress (no byte yet),
   * the current window is full and below the rate.
   */
  check(pendingMs: number): void {
    if (!this.enabled) return;
    const waited = this.#waited + Math.max(0, pendingMs);
    if (waited < this.#windowMs || this.#bytes * 1000 >= this.#minRate * waited) return;
    throw new SlowRetrievalError(
      `Cannot fetch ${this.#name}: slower than ${this.#minRate} bytes/s over ${
        seconds(this.#windowMs)
      } s (${this.#bytes} bytes in ${seconds(waited)} s of waiting)`,
    );
  }

  /**
   * How much longer (ms) a wait that has lasted `pendingMs` so far may go on, with no byte, before
   * {@linkcode check} throws; `Infinity` when the guard is off.
   */
  msLeft(pendingMs: number): number {
    if (!this.enabled) return Infinity;
    const failsAt = Math.max(this.#windowMs, (this.#bytes * 1000) / this.#minRate);
    return Math.max(0, failsAt - this.#waited - Math.max(0, pendingMs));
  }
}

function seconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}
