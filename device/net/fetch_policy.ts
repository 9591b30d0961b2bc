/**
 * How the device fetches: timeouts, retries, and the bounds against slow retrieval (a minimum rate
 * and deadlines). Every field is optional; {@linkcode FETCH_DEFAULTS} holds the defaults.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FETCH_DEFAULTS, type FetchPolicy } from "./fetch_policy.ts";
 * const policy: FetchPolicy = { minRate: 1024, deadline: Date.now() + 60_000 };
 * assert.ok((policy.rateWindowMs ?? FETCH_DEFAULTS.rateWindowMs) === 30_000);
 * ```
 * @module
 */

/** Timeouts, retries and slow-retrieval bounds of the fetch helpers. */
export interface FetchPolicy {
  /** Retries after the first attempt on transient failures (default 4). */
  retries?: number;
  /** Time to the response headers, ms (default 15 000). */
  connectTimeoutMs?: number;
  /** Longest silence while reading a body, ms (default 30 000). */
  idleTimeoutMs?: number;
  /** First backoff delay, ms (default 500; doubled per retry, with jitter). */
  baseDelayMs?: number;
  /** Longest backoff or Retry-After honoured, ms (default 30 000). */
  maxDelayMs?: number;
  /**
   * Minimum average rate of a body, bytes per second, over `rateWindowMs` of waiting for the network
   * (default 4096; 0 turns it off). Slower: `SlowRetrievalError`, not retried.
   */
  minRate?: number;
  /** Window of the minimum rate, ms of waiting for the network (default 30 000). */
  rateWindowMs?: number;
  /**
   * When every request, retry and backoff must be over, ms since the epoch (`Date.now()`): the run's
   * deadline. Past it: `SlowRetrievalError`, not retried. Default: none (the commands set one).
   */
  deadline?: number;
  /**
   * Longest a small document (TUF metadata, a releases document) may take, retries included, ms
   * (default 300 000); never past `deadline`.
   */
  documentTimeoutMs?: number;
  /** Aborts everything (SIGINT). */
  signal?: AbortSignal;
  /** Told about each retry (for logs). */
  onRetry?: (info: { attempt: number; delayMs: number; error: Error }) => void;
}

/** The defaults of {@linkcode FetchPolicy}, and of the commands' run deadline. */
export const FETCH_DEFAULTS = {
  retries: 4,
  connectTimeoutMs: 15_000,
  idleTimeoutMs: 30_000,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  minRate: 4096,
  rateWindowMs: 30_000,
  documentTimeoutMs: 300_000,
  /** What the commands that download give a run when `--deadline` is not set: one hour. */
  runDeadlineMs: 3_600_000,
} as const;
