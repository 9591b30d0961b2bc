/**
 * Exit codes of `drover` (DESIGN §5) and the mapping from errors to them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ExitCode, exitCodeFor } from "./exit_codes.ts";
 * import { TransientError } from "../../core/errors.ts";
 * assert.equal(exitCodeFor(new TransientError("Cannot lock: busy")), ExitCode.TRY_LATER);
 * ```
 * @module
 */
import { IntegrityError, TransientError, TrustError } from "../../core/errors.ts";
import { InterruptedError } from "./interrupted_error.ts";
import { UsageError } from "./usage_error.ts";

/** The exit codes of every `drover` command. */
export const ExitCode = {
  /** Done (nothing to do is done). */
  OK: 0,
  /** Something failed (a broken app, a failed health check, an I/O error). */
  FAILURE: 1,
  /** The command line was not understood. */
  USAGE: 2,
  /** Verification or trust refused (bad digest, bad signature, downgrade, no trusted root). */
  REFUSED: 3,
  /** Try later: the lock is held, the network or the server is down. */
  TRY_LATER: 75,
  /** Interrupted by SIGINT (Ctrl-C): 128 + 2, as a shell reports it. Not a failure; the next run resumes. */
  SIGINT: 130,
  /** Interrupted by SIGTERM (systemd stopping the unit, shutdown): 128 + 15. Not a failure either. */
  SIGTERM: 143,
} as const;

/** One of {@linkcode ExitCode}'s values. */
export type ExitCodeValue = typeof ExitCode[keyof typeof ExitCode];

/**
 * The exit code for an error: an interruption -> 130 (SIGINT) or 143 (SIGTERM), Integrity/Trust -> 3,
 * Transient -> 75, usage -> 2, anything else -> 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exitCodeFor } from "./exit_codes.ts";
 * import { TrustError } from "../../core/errors.ts";
 * assert.equal(exitCodeFor(new TrustError("Cannot verify root: expired")), 3);
 * ```
 */
export function exitCodeFor(error: unknown): ExitCodeValue {
  if (error instanceof InterruptedError) return error.exitCode;
  if (error instanceof IntegrityError || error instanceof TrustError) return ExitCode.REFUSED;
  if (error instanceof TransientError) return ExitCode.TRY_LATER;
  if (error instanceof UsageError) return ExitCode.USAGE;
  return ExitCode.FAILURE;
}

/**
 * Combines the exit codes of independent parts of a run (one per app): an interruption (130, 143)
 * wins over refusals, which win over try-later, which wins over failures; 0 only if every part is 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { worstExitCode } from "./exit_codes.ts";
 * assert.equal(worstExitCode([0, 1, 3]), 3);
 * assert.equal(worstExitCode([]), 0);
 * assert.equal(worstExitCode([3, 130, 1]), 130);
 * ```
 */
export function worstExitCode(codes: Iterable<number>): number {
  const rank = (c: number) =>
    c === 130 || c === 143 ? 5 : c === 3 ? 4 : c === 75 ? 3 : c === 2 ? 2 : c === 0 ? 0 : 1;
  let worst = 0;
  for (const c of codes) if (rank(c) > rank(worst)) worst = c;
  return worst;
}
