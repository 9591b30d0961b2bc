/**
 * `repo push` refused because the metadata it sends would take releases off the edge that the
 * repository never had (another pipeline published them there): exit 1, `E_WOULD_REMOVE`, naming a
 * few of them. `--allow-removal` pushes anyway.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RemovalRefusedError } from "./removal_refused_error.ts";
 * const e = new RemovalRefusedError("Cannot push targets v7: it would remove acme/tv main 1a2b3c4", {
 *   releases: ["acme/tv main 1a2b3c4"],
 * });
 * assert.equal(e.code, "E_WOULD_REMOVE");
 * assert.deepEqual(e.releases, ["acme/tv main 1a2b3c4"]);
 * ```
 * @module
 */

/** A push that would remove releases only the edge has: exit 1. */
export class RemovalRefusedError extends Error {
  /** Stable, machine-readable code. */
  readonly code = "E_WOULD_REMOVE" as const;
  /** Every release it would remove (`OWNER/APP REF COMMIT`, else the target path). */
  readonly releases: string[];

  constructor(message: string, options: { releases: string[]; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RemovalRefusedError";
    this.releases = options.releases;
  }
}
