/**
 * The error of a download that is too slow: below the minimum rate over a window, or past the run's
 * deadline (TUF's slow retrieval attack: a server that dribbles bytes to keep the device busy for ever).
 * A `TransientError` (exit 75, try later) that is never retried within the run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SlowRetrievalError } from "./slow_retrieval_error.ts";
 * const error = new SlowRetrievalError("Cannot fetch timestamp.json: slower than 4096 B/s over 30 s");
 * assert.equal(error.code, "E_TRANSIENT");
 * ```
 * @module
 */
import { TransientError } from "../../core/errors.ts";

/** Too slow: below the minimum rate, or past the deadline. Final for the run, transient for the device. */
export class SlowRetrievalError extends TransientError {}
