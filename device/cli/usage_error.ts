/**
 * A command line that cannot be understood: unknown flag, missing value, bad number. Maps to exit
 * code 2 in `drover` and `drover-repo`. It is a `TypeError` (a bad argument), so generic callers need
 * not know it.
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

  /**
   * Runs `check` on a command-line value: a `TypeError` or `RangeError` it throws (a library's
   * argument check, e.g. an unsafe path segment) becomes a `UsageError` with it as `cause`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { UsageError } from "./usage_error.ts";
   * assert.throws(() => UsageError.check(() => { throw new RangeError("Cannot use '..'"); }), UsageError);
   * assert.equal(UsageError.check(() => 42), 42);
   * ```
   */
  static check<T>(check: () => T): T {
    try {
      return check();
    } catch (error) {
      if (error instanceof UsageError) throw error;
      if (error instanceof TypeError || error instanceof RangeError) {
        throw new UsageError(error.message, { cause: error });
      }
      throw error;
    }
  }
}
