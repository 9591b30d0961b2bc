/**
 * A response body guarded against a silent or dribbling server (private to device/net/http.ts): reads
 * a bounded number of bytes ahead of its consumer, aborts when the network is silent for `idleMs` while
 * a chunk is awaited, and holds the rate of what arrives to a {@linkcode RateGuard}. Waiting caused by
 * the consumer (disk back-pressure) counts for neither: only a read in progress is timed.
 * @module
 */
import { TransientError } from "../../core/errors.ts";
import type { RateGuard } from "./rate_guard.ts";
import { RetryableError } from "./retryable_error.ts";

/** Options of {@linkcode guardedBody}. */
export interface GuardOptions {
  /** Longest silence while a chunk is awaited, ms. */
  idleMs: number;
  /** The minimum-rate rule (may span several bodies of one download). */
  rate: RateGuard;
  /** Bytes read ahead of the consumer. */
  readAhead: number;
  /** What is read, for error messages. */
  name: string;
  /** Called once when the body ends (read to the end, failed or cancelled): the caller's timers. */
  onEnd?: () => void;
}

/**
 * Wraps `raw`: errors are `RetryableError` unless `ac` was aborted with a `TransientError` (the
 * deadline, the rate, the caller's signal), which is passed on as it is. One timer per body, not per
 * chunk: it checks how long the read in progress has waited.
 */
export function guardedBody(
  raw: ReadableStream<Uint8Array>,
  ac: AbortController,
  options: GuardOptions,
): { body: ReadableStream<Uint8Array>; clear(): void } {
  const { idleMs, rate, readAhead, name } = options;
  const reader = raw.getReader();
  let waitingSince: number | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = (pending: number) => {
    timer = setTimeout(check, Math.max(1, Math.min(idleMs - pending, rate.msLeft(pending) + 1)));
  };
  const check = () => {
    timer = undefined;
    if (waitingSince === undefined) return;
    const pending = performance.now() - waitingSince;
    if (pending >= idleMs) {
      ac.abort(new RetryableError(`Cannot fetch ${name}: no data for ${idleMs} ms`));
      return;
    }
    try {
      rate.check(pending);
    } catch (error) {
      ac.abort(error);
      return;
    }
    schedule(pending);
  };
  /**
   * An abort ends the read in progress here, whatever the runtime's fetch does with its signal once
   * the headers are in (Deno's has been seen to go on reading a dribbling body after it).
   */
  let interrupt: ((reason: unknown) => void) | undefined;
  const onAbort = () => {
    interrupt?.(ac.signal.reason);
    reader.cancel(ac.signal.reason).catch(() => {});
  };
  ac.signal.addEventListener("abort", onAbort, { once: true });
  const read = () =>
    new Promise<ReadableStreamReadResult<Uint8Array>>((resolve, reject) => {
      interrupt = reject;
      reader.read().then(resolve, reject);
    }).finally(() => (interrupt = undefined));
  let ended = false;
  const clear = () => {
    waitingSince = undefined;
    clearTimeout(timer);
    timer = undefined;
    if (!ended) {
      ended = true;
      ac.signal.removeEventListener("abort", onAbort);
      options.onEnd?.();
    }
  };
  /** A read error held back until the read-ahead queue has been consumed: erroring the stream at once
   * would drop bytes that did arrive, and a resume would then start before them. */
  let failure: unknown;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (failure !== undefined) {
        if ((controller.desiredSize ?? 0) >= readAhead) throw failure; // queue drained
        return; // pulled again as the queue drains
      }
      const since = performance.now();
      waitingSince = since;
      if (timer === undefined) schedule(0);
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        if (ac.signal.aborted) throw ac.signal.reason; // while the consumer was busy
        result = await read();
      } catch (error) {
        clear();
        const reason = ac.signal.reason;
        failure = reason instanceof TransientError
          ? reason
          : new RetryableError(`Cannot fetch ${name}: ${(error as Error).message}`, { cause: error });
        if ((controller.desiredSize ?? 0) >= readAhead) throw failure;
        return;
      }
      waitingSince = undefined;
      if (result.done) {
        clear();
        controller.close();
        return;
      }
      controller.enqueue(result.value); // arrived: kept, whatever the rate says
      try {
        rate.record(result.value.byteLength, performance.now() - since);
      } catch (error) {
        clear();
        failure = error; // passed on once the bytes before it are consumed
        ac.abort(error);
      }
    },
    cancel(reason) {
      clear();
      return reader.cancel(reason);
    },
  }, { highWaterMark: readAhead, size: (chunk) => chunk.byteLength });
  return { body, clear };
}
