/**
 * A run stopped by SIGINT (Ctrl-C) or SIGTERM (systemd stopping the unit, shutdown): not a failure of
 * what it was doing. `device/drover.ts` aborts the commands' signal with one; a command that sees its
 * signal aborted by it ({@linkcode InterruptedError.of}) says `Cannot <action>: interrupted (SIGINT)`,
 * reports no failure to the fleet and exits 130 (SIGINT) or 143 (SIGTERM), as a shell does. What was
 * left behind (a partial download, a staging directory, a pending record) is resumed by the next run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { InterruptedError } from "./interrupted_error.ts";
 * const ac = new AbortController();
 * ac.abort(new InterruptedError("SIGTERM"));
 * const stop = InterruptedError.of(ac.signal)!;
 * assert.equal(stop.exitCode, 143);
 * assert.equal(stop.during("install acme/radio 68200ec").message, "Cannot install acme/radio 68200ec: interrupted (SIGTERM)");
 * assert.equal(InterruptedError.of(new AbortController().signal), undefined);
 * ```
 * @module
 */

/** The signals that interrupt a run. */
export type InterruptSignal = "SIGINT" | "SIGTERM";

/** A run interrupted by a signal (code `E_INTERRUPTED`, exit 130 or 143). */
export class InterruptedError extends Error {
  /** Stable, machine-readable code. */
  readonly code = "E_INTERRUPTED" as const;
  /** The signal that interrupted the run. */
  readonly signal: InterruptSignal;

  constructor(signal: InterruptSignal, options: { action?: string; cause?: unknown } = {}) {
    super(`Cannot ${options.action ?? "go on"}: interrupted (${signal})`, { cause: options.cause });
    this.name = "InterruptedError";
    this.signal = signal;
  }

  /** 128 + the signal's number: 130 for SIGINT, 143 for SIGTERM. */
  get exitCode(): 130 | 143 {
    return this.signal === "SIGINT" ? 130 : 143;
  }

  /** The same interruption, as the failure of `action` (what surfaced instead as its `cause`). */
  during(action: string, cause?: unknown): InterruptedError {
    return new InterruptedError(this.signal, { action, cause: cause ?? this });
  }

  /** The interruption `signal` was aborted with, if it was aborted by one. */
  static of(signal: AbortSignal | undefined): InterruptedError | undefined {
    return signal?.aborted && signal.reason instanceof InterruptedError ? signal.reason : undefined;
  }

  /** `error` or one of its causes, when one is an interruption. */
  static in(error: unknown): InterruptedError | undefined {
    let e: unknown = error;
    for (let depth = 0; e !== null && typeof e === "object" && depth < 8; depth++) {
      if (e instanceof InterruptedError) return e;
      e = (e as { cause?: unknown }).cause;
    }
    return undefined;
  }
}
