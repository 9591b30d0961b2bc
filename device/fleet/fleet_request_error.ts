/**
 * The fleet API refused a device request with a final answer (4xx other than 429): unknown or
 * badly signed device (401), rejected device (403), a counter the edge refused as a replay even
 * after retrying with new ones (409), a body too large (413). `status` is the HTTP status and
 * `serverCode` the `error.code` of the edge's JSON answer, when it sent one. Transient failures
 * (network, timeout, 429, 5xx) are `TransientError`s instead (exit 75).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FleetRequestError } from "./fleet_request_error.ts";
 * const error = new FleetRequestError("Cannot check in: HTTP 403 (E_REJECTED)", { status: 403, serverCode: "E_REJECTED" });
 * assert.equal(error.code, "E_FLEET");
 * assert.equal(error.status, 403);
 * ```
 * @module
 */

/** A final refusal of the fleet API. */
export class FleetRequestError extends Error {
  /** Stable, machine-readable code. */
  readonly code = "E_FLEET" as const;
  /** HTTP status of the answer. */
  readonly status: number;
  /** The edge's `error.code`, when its answer carried one. */
  readonly serverCode: string | undefined;

  constructor(message: string, options: { status: number; serverCode?: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = "FleetRequestError";
    this.status = options.status;
    this.serverCode = options.serverCode;
  }
}
