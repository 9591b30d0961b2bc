/**
 * A command line that cannot be understood: unknown flag, missing value, bad number.
 * Maps to exit code 2. It is a `TypeError` (a bad argument), so generic callers need not know it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UsageError } from "./usage_error.ts";
 * const e = new UsageError("Cannot parse arguments: --keep needs a number");
 * assert.ok(e instanceof TypeError && e.name === "UsageError");
 * ```
 * @module
 */

/** A bad command line (exit code 2). */
export class UsageError extends TypeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "UsageError";
  }
}
