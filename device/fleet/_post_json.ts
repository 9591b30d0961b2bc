/**
 * Private: one POST of a small JSON body to the fleet API through the global `fetch` (Node 20+
 * and Deno; the bodies are a few KiB, so the device's streaming node:http path brings nothing),
 * with one time bound over the whole exchange, the answer read up to 64 KiB. Network failures
 * and the time bound are `RetryableError`s; the caller's abort is a `TransientError`.
 * @module
 */
import { TransientError } from "../../core/errors.ts";
import { readAll } from "../../core/verify/mod.ts";
import { RetryableError } from "../net/retryable_error.ts";

/** An answer: status, Retry-After (ms, capped) and the body parsed as JSON (`undefined` if not JSON). */
export interface PostAnswer {
  status: number;
  retryAfterMs?: number;
  json: unknown;
}

const MAX_ANSWER = 64 * 1024;

function retryAfter(value: string | null, maxMs: number): number | undefined {
  if (!value) return undefined;
  const s = Number(value);
  const ms = Number.isFinite(s) ? s * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), maxMs) : undefined;
}

/** POSTs `body` with `headers` to `url`; see the module doc. */
export async function postJson(
  url: URL,
  options: {
    headers: Headers;
    body: string;
    timeoutMs: number;
    maxDelayMs: number;
    signal?: AbortSignal;
    fetch?: typeof fetch;
  },
): Promise<PostAnswer> {
  const ac = new AbortController();
  const onAbort = () => ac.abort(options.signal?.reason);
  if (options.signal?.aborted) throw new TransientError(`Cannot reach ${url}: interrupted`);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const timer = setTimeout(() => ac.abort(new Error("timeout")), options.timeoutMs);
  try {
    const res = await (options.fetch ?? fetch)(url, {
      method: "POST",
      headers: options.headers,
      body: options.body,
      signal: ac.signal,
      redirect: "error",
    });
    let json: unknown;
    if (res.body) {
      const bytes = await readAll(res.body, { maxBytes: MAX_ANSWER, name: String(url) }).catch(() =>
        undefined
      );
      try {
        json = bytes === undefined ? undefined : JSON.parse(new TextDecoder().decode(bytes));
      } catch {
        json = undefined;
      }
    }
    return {
      status: res.status,
      retryAfterMs: retryAfter(res.headers.get("retry-after"), options.maxDelayMs),
      json,
    };
  } catch (error) {
    if (options.signal?.aborted) {
      throw new TransientError(`Cannot reach ${url}: interrupted`, { cause: error });
    }
    const detail = ac.signal.aborted ? `no answer in ${options.timeoutMs} ms` : (error as Error).message;
    throw new RetryableError(`Cannot reach ${url}: ${detail}`, { cause: error });
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
}
