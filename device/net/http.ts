/**
 * One HTTP(S) or file:// request with connect and idle timeouts, the minimum rate and the deadline,
 * classified for retries; and the retry loop.
 * @module
 */
import { stat } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { NotFoundError, TransientError } from "../../core/errors.ts";
import { type MiniResponse, nodeFetch, useNodeHttp } from "./_node_http.ts";
import { guardedBody } from "./_guarded_body.ts";
import { FETCH_DEFAULTS, type FetchPolicy } from "./fetch_policy.ts";
import { RateGuard } from "./rate_guard.ts";
import { RetryableError } from "./retryable_error.ts";
import { SlowRetrievalError } from "./slow_retrieval_error.ts";
import { fileStream } from "../fs/file_streams.ts";

export type { FetchPolicy } from "./fetch_policy.ts";
export { RetryableError } from "./retryable_error.ts";
export { checkDeclaredLength, DeclaredLengthError } from "./declared_length.ts";

/** An opened response: status, headers we need, and the body guarded by the idle timeout and the rate. */
export interface Opened {
  status: number;
  contentRange: string | null;
  /** Content-Length of the response, when the server sent one. */
  contentLength: number | undefined;
  body: ReadableStream<Uint8Array>;
  /** Clears timers; cancels the body if still unread. */
  dispose(): Promise<void>;
}

/** Options of {@linkcode openUrl}. */
export interface OpenOptions extends FetchPolicy {
  /** First byte wanted (a Range request when > 0). */
  offset?: number;
  /** Bytes wanted from `offset` (a bounded Range request); default: to the end. */
  rangeLength?: number;
  /** The minimum-rate guard to feed (one download's, across its connections); default a fresh one. */
  rate?: RateGuard;
}

function retryAfter(value: string | null, maxMs: number): number | undefined {
  if (!value) return undefined;
  const s = Number(value);
  const ms = Number.isFinite(s) ? s * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), maxMs) : undefined;
}

/**
 * Bytes a guarded body reads ahead of its consumer, so network reads overlap hashing and disk
 * writes (0 serialised them; 1 MiB cost ~40 MiB more peak RSS on Deno for no measurable gain).
 */
const READ_AHEAD = 256 * 1024;

/** The `SlowRetrievalError` of a fetch of `what` once `policy.deadline` has passed. */
function pastDeadline(what: string): SlowRetrievalError {
  return new SlowRetrievalError(`Cannot fetch ${what}: the run's deadline has passed`);
}

/**
 * Throws the `SlowRetrievalError` of `what` if `policy.deadline` has passed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkDeadline } from "./http.ts";
 * checkDeadline({ deadline: Date.now() + 60_000 }, "a.tar.gz");
 * assert.throws(() => checkDeadline({ deadline: Date.now() - 1 }, "a.tar.gz"), { code: "E_TRANSIENT" });
 * ```
 */
export function checkDeadline(policy: FetchPolicy, what: string): void {
  if (policy.deadline !== undefined && Date.now() >= policy.deadline) throw pastDeadline(what);
}

function lengthOf(value: string | null): number | undefined {
  return value !== null && /^\d+$/.test(value.trim()) ? Number(value) : undefined;
}

/**
 * Opens `url` (http:, https:, file:) from byte `offset` (a file: range is answered as a 206 with its
 * Content-Range; a 416 to a Range is returned, with an empty body). Throws `NotFoundError` (404/410, missing
 * file), `RetryableError` (network, timeout, 5xx, 429), `SlowRetrievalError` (past `deadline`; the
 * body errors with it too, and when slower than `minRate`), `Error` (other 4xx). Never retries itself.
 */
export async function openUrl(url: URL, options: OpenOptions = {}): Promise<Opened> {
  const offset = options.offset ?? 0;
  if (url.protocol === "file:") {
    const path = fileURLToPath(url);
    const st = await stat(path).catch((e) => {
      throw new NotFoundError(`Cannot fetch ${url}: ${e.code ?? e.message}`, { cause: e });
    });
    if (!st.isFile()) throw new NotFoundError(`Cannot fetch ${url}: not a file`);
    const start = Math.min(offset, st.size);
    const end = options.rangeLength === undefined
      ? undefined
      : Math.min(st.size, offset + options.rangeLength);
    const body = fileStream(path, { start, end });
    // a range asked for is served as one, as an HTTP server honouring Range would
    const ranged = offset > 0 || options.rangeLength !== undefined;
    return {
      status: ranged ? 206 : 200,
      contentRange: ranged ? `bytes ${start}-${(end ?? st.size) - 1}/${st.size}` : null,
      contentLength: (end ?? st.size) - start,
      body,
      dispose: () => body.cancel().catch(() => {}),
    };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`Cannot fetch ${url}: unsupported protocol ${url.protocol}`);
  }
  checkDeadline(options, String(url));
  const ac = new AbortController();
  const onAbort = () => ac.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const deadlineTimer = options.deadline === undefined ? undefined : setTimeout(
    () => ac.abort(pastDeadline(String(url))),
    Math.min(options.deadline - Date.now(), 2 ** 31 - 1),
  );
  const connectMs = options.connectTimeoutMs ?? FETCH_DEFAULTS.connectTimeoutMs;
  const connectTimer = setTimeout(
    () => ac.abort(new RetryableError(`Cannot fetch ${url}: no response in ${connectMs} ms`)),
    connectMs,
  );
  const done = () => {
    clearTimeout(deadlineTimer);
    options.signal?.removeEventListener("abort", onAbort);
  };
  const headers: Record<string, string> = { "accept-encoding": "identity" };
  if (options.rangeLength !== undefined) {
    headers.range = `bytes=${offset}-${offset + options.rangeLength - 1}`;
  } else if (offset > 0) headers.range = `bytes=${offset}-`;
  let res: MiniResponse;
  try {
    res = useNodeHttp
      ? await nodeFetch(url, { headers, signal: ac.signal })
      : await fetch(url, { headers, signal: ac.signal, redirect: "follow" });
  } catch (error) {
    clearTimeout(connectTimer);
    done();
    if (options.signal?.aborted) {
      throw new TransientError(`Cannot fetch ${url}: interrupted`, { cause: error });
    }
    const reason = ac.signal.reason;
    if (reason instanceof TransientError) throw reason;
    throw new RetryableError(`Cannot fetch ${url}: ${(error as Error).message}`, { cause: error });
  }
  clearTimeout(connectTimer);
  const status = res.status;
  if (status === 416 && headers.range !== undefined) {
    // our Range is not satisfiable: the caller restarts from byte 0 (or, a bounded range, does without)
    await res.body?.cancel().catch(() => {});
    done();
    const body = new ReadableStream<Uint8Array>({ start: (c) => c.close() });
    return {
      status,
      contentRange: res.headers.get("content-range"),
      contentLength: 0,
      body,
      dispose: async () => {},
    };
  }
  if (status !== 200 && status !== 206) {
    await res.body?.cancel().catch(() => {});
    done();
    const detail = `Cannot fetch ${url}: HTTP ${status}`;
    if (status === 404 || status === 410) throw new NotFoundError(detail);
    if (status === 429 || status >= 500) {
      const maxMs = options.maxDelayMs ?? FETCH_DEFAULTS.maxDelayMs;
      throw new RetryableError(detail, { retryAfterMs: retryAfter(res.headers.get("retry-after"), maxMs) });
    }
    throw new Error(detail);
  }
  const raw = res.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
  const guarded = guardedBody(raw, ac, {
    idleMs: options.idleTimeoutMs ?? FETCH_DEFAULTS.idleTimeoutMs,
    rate: options.rate ?? RateGuard.forPolicy(options, String(url)),
    readAhead: READ_AHEAD,
    name: String(url),
    onEnd: done, // the deadline timer goes with the body, disposed or not
  });
  return {
    status,
    contentRange: res.headers.get("content-range"),
    contentLength: lengthOf(res.headers.get("content-length")),
    body: guarded.body,
    dispose: async () => {
      guarded.clear();
      done();
      await guarded.body.cancel().catch(() => {});
    },
  };
}

/**
 * Whether a failure is worth another attempt: a `TransientError`, unless it is a
 * `SlowRetrievalError` or the caller aborted.
 */
export function isRetryable(error: unknown, policy: FetchPolicy = {}): error is TransientError {
  return error instanceof TransientError && !(error instanceof SlowRetrievalError) && !policy.signal?.aborted;
}

/**
 * Runs `attempt` with retries on `TransientError` (exponential backoff with jitter, Retry-After
 * honoured up to `maxDelayMs`); other errors, `SlowRetrievalError` and the deadline are final.
 */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  policy: FetchPolicy = {},
): Promise<T> {
  for (let n = 0;; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!isRetryable(error, policy) || n >= (policy.retries ?? FETCH_DEFAULTS.retries)) throw error;
      await backoff(n, error, policy);
    }
  }
}

/**
 * Waits before retry `n + 1` after `error`: 0.5 s·2^n (capped) with jitter, or the server's
 * Retry-After (capped). Resolves early when `policy.signal` aborts; throws `SlowRetrievalError`
 * instead of waiting past `policy.deadline`.
 */
export async function backoff(n: number, error: TransientError, policy: FetchPolicy = {}): Promise<void> {
  const base = policy.baseDelayMs ?? FETCH_DEFAULTS.baseDelayMs;
  const max = policy.maxDelayMs ?? FETCH_DEFAULTS.maxDelayMs;
  const jittered = Math.min(max, base * 2 ** n) * (0.5 + Math.random() / 2);
  const delayMs = error instanceof RetryableError && error.retryAfterMs !== undefined
    ? Math.min(max, Math.max(error.retryAfterMs, jittered / 4))
    : jittered;
  if (policy.deadline !== undefined && Date.now() + delayMs >= policy.deadline) {
    throw new SlowRetrievalError(`${error.message}; no time left to retry before the run's deadline`, {
      cause: error,
    });
  }
  policy.onRetry?.({ attempt: n + 1, delayMs, error });
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      policy.signal?.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, delayMs);
    policy.signal?.addEventListener("abort", done, { once: true });
  });
}
