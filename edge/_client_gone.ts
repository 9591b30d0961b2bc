/**
 * Private: whether a request failed because its client went away (an interrupted upload): the
 * runtime's error reading the body (Deno: `BadResource` once the connection is gone, `Http`,
 * `ConnectionReset` or `UnexpectedEof` mid-read), possibly as the cause of another. Not an edge
 * error: `app.ts` answers 499 `E_CLIENT_GONE` (the request's log line) and logs nothing more.
 */
import { HttpError } from "./http_error.ts";

const GONE = new Set([
  "BadResource",
  "Http",
  "ConnectionReset",
  "ConnectionAborted",
  "BrokenPipe",
  "UnexpectedEof",
]);

function isGone(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (GONE.has(e.name)) return true;
  }
  return false;
}

/** A 499 `E_CLIENT_GONE` when `request` has a body and `error` is (or was caused by) its client going away. */
export function clientGone(request: Request, error: unknown): HttpError | undefined {
  if (!request.body || !isGone(error)) return undefined;
  return new HttpError(499, "Cannot read request body: the client went away", {
    code: "E_CLIENT_GONE",
    cause: error,
  });
}
