/**
 * An error answer of the edge's fleet API (`{ error: { code, message } }` with a 4xx or 5xx), with
 * the exit code `drover-fleet` gives it: 3 when the operator token is refused (401, 403), 75 when
 * the edge asks to try later (408, 429, 502, 503, 504), else 1. `code` is the edge's own `E_*`
 * code when it sent one, else `E_HTTP_<status>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FleetApiError } from "./fleet_api_error.ts";
 * const e = new FleetApiError("Cannot list devices: bad token", { status: 401, code: "E_UNAUTHORIZED" });
 * assert.equal(e.exitCode, 3);
 * assert.equal(new FleetApiError("Cannot list devices: busy", { status: 503 }).code, "E_HTTP_503");
 * ```
 * @module
 */

/** What the edge answered. */
export interface FleetApiErrorOptions {
  status: number;
  /** The edge's error code (kept only when it looks like one: `E_` and A-Z0-9_). */
  code?: string;
  cause?: unknown;
}

/** The exit code for an HTTP status of the fleet API. */
function exitCodeOf(status: number): number {
  if (status === 401 || status === 403) return 3;
  if (status === 408 || status === 429 || status === 502 || status === 503 || status === 504) return 75;
  return 1;
}

/** The edge refused or failed a fleet API request. */
export class FleetApiError extends Error {
  /** The edge's `E_*` code, else `E_HTTP_<status>`. */
  readonly code: string;
  /** The HTTP status. */
  readonly status: number;
  /** `drover-fleet`'s exit code for it. */
  readonly exitCode: number;

  constructor(message: string, options: FleetApiErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "FleetApiError";
    this.status = options.status;
    this.code = typeof options.code === "string" && /^E_[A-Z0-9_]{1,40}$/.test(options.code)
      ? options.code
      : `E_HTTP_${options.status}`;
    this.exitCode = exitCodeOf(options.status);
  }
}
