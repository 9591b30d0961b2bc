/**
 * Metadata a verified parent names (the snapshot a timestamp names, targets, a delegated role) that
 * the repository does not serve: it is mid-publication or a mirror lags (or someone withholds it, as
 * any download can be withheld). Nothing is refused: try later (exit 75), like a network failure.
 * @module
 */
import { TransientError } from "../errors.ts";

/** The error for `path`, named by `namedBy` but not served. */
export function notServed(path: string, namedBy: string): TransientError {
  return new TransientError(
    `Cannot refresh trust: ${path}, named by ${namedBy}, is not served (a publication in progress or a ` +
      `mirror behind?); try later`,
  );
}
