/**
 * An error answer of the edge to `repo push` (`{ error: { code, message } }` with a 4xx), kept with
 * the edge's own code (`E_FORBIDDEN`, `E_STALE`, …; `E_HTTP_<status>` when it sent none). Exit code 1
 * (the repo CLI's failure); answers that mean "try later" (408, 429, 5xx) are `TransientError`s instead
 * (75), and a refused upload digest (422) an `IntegrityError` (3).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EdgeAnswerError } from "./edge_answer_error.ts";
 * const e = new EdgeAnswerError("Cannot publish targets v3: not newer than v3", { status: 409, code: "E_STALE" });
 * assert.ok(e.code === "E_STALE" && e.status === 409);
 * assert.equal(new EdgeAnswerError("Cannot push: gone", { status: 410 }).code, "E_HTTP_410");
 * ```
 * @module
 */

/** The edge refused a request of `repo push`. */
export class EdgeAnswerError extends Error {
  /** The edge's `E_*` code, else `E_HTTP_<status>`. */
  readonly code: string;
  /** The HTTP status. */
  readonly status: number;

  constructor(message: string, options: { status: number; code?: string; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "EdgeAnswerError";
    this.status = options.status;
    this.code = typeof options.code === "string" && /^E_[A-Z0-9_]{1,40}$/.test(options.code)
      ? options.code
      : `E_HTTP_${options.status}`;
  }
}
