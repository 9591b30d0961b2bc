/**
 * Names the repository an error came from. Core's TUF workflow fetches through a function and never sees
 * the URL, so its "nothing there" (`NotFoundError`: no `tuf/timestamp.json`, a mistyped `--api`) names a path
 * relative to the repository; the device, which knows the URL or directory it asked, adds it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NotFoundError } from "../../core/errors.ts";
 * import { fromRepository } from "./from_repository.ts";
 * const err = fromRepository(
 *   new NotFoundError("Cannot refresh trust: tuf/timestamp.json not found"),
 *   new URL("http://127.0.0.1:8787/wrong"),
 * ) as Error;
 * assert.equal(err.message, "Cannot refresh trust from http://127.0.0.1:8787/wrong/: tuf/timestamp.json not found");
 * ```
 * @module
 */
import { fileURLToPath } from "node:url";
import { NotFoundError } from "../../core/errors.ts";
import { baseUrl } from "../../core/url/mod.ts";

/** How a repository is named in messages: its base URL, or for `file:` its directory. */
function repositoryName(api: URL): string {
  const base = baseUrl(api);
  if (base.protocol !== "file:") return base.href;
  try {
    return fileURLToPath(base);
  } catch {
    return base.href;
  }
}

/**
 * `error` with `api` named when it is a `NotFoundError` ("Cannot <action>: <detail>" becomes "Cannot <action>
 * from <repository>: <detail>", the error kept as `cause`); any other error as it is.
 */
export function fromRepository(error: unknown, api: URL): unknown {
  if (!(error instanceof NotFoundError)) return error;
  const name = repositoryName(api);
  if (error.message.includes(name)) return error;
  const m = /^(Cannot [^:]*): ([\s\S]*)$/.exec(error.message);
  const message = m ? `${m[1]} from ${name}: ${m[2]}` : `${error.message} (from ${name})`;
  return new NotFoundError(message, { cause: error });
}
