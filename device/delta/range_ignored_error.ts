/**
 * The error of a pack range a server did not serve as asked (DESIGN §10): a 200 (a static server
 * that ignores Range sends the whole file), a 416, or a 206 of another range. No byte failed
 * verification: the pack is as good as absent from that server, so this is a `NotFoundError` and the
 * delta falls back to the full artifact, as for a pack the server lacks (never exit 3).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NotFoundError } from "../../core/errors.ts";
 * import { RangeIgnoredError } from "./range_ignored_error.ts";
 * const error = new RangeIgnoredError("Cannot fetch a.tar.gz.cpack bytes 0+1: HTTP 200", { status: 200 });
 * assert.ok(error instanceof NotFoundError && error.code === "E_NOT_FOUND" && error.status === 200);
 * assert.equal(error.notice, "the server ignored Range for the delta pack (HTTP 200)");
 * ```
 * @module
 */
import { NotFoundError } from "../../core/errors.ts";

/** A pack range not served as asked: no delta from this server. */
export class RangeIgnoredError extends NotFoundError {
  /** The HTTP status the server answered the range with. */
  readonly status: number;
  constructor(message: string, options: { status: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.status = options.status;
  }

  /** What a one-line notice says of it (the caller adds what it does instead). */
  get notice(): string {
    const did = this.status === 200 ? "ignored" : "did not honour";
    return `the server ${did} Range for the delta pack (HTTP ${this.status})`;
  }
}
