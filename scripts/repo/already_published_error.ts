/**
 * `repo add-app` of the commit the repository already publishes as the newest release of that app and
 * ref, but with other archive bytes (a rebuild that is not reproducible) or other signed options
 * (`--rollout`, its halt rule, `--version`, `--allow-downgrade`): refused (exit 1), since publishing it
 * again would give it a new serial and a new rollout id, one the edge has never held back (a halted
 * rollout would be got around). The same bytes and options again are a no-op.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AlreadyPublishedError } from "./already_published_error.ts";
 * const e = new AlreadyPublishedError("Cannot add app: acme/radio main 0123abc is already published");
 * assert.equal(e.code, "E_ALREADY_PUBLISHED");
 * ```
 * @module
 */

/** A commit published already, differently: exit 1, `E_ALREADY_PUBLISHED`. */
export class AlreadyPublishedError extends Error {
  /** Stable, machine-readable code. */
  readonly code = "E_ALREADY_PUBLISHED" as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AlreadyPublishedError";
  }
}
