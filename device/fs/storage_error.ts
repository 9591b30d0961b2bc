/**
 * A full or read-only file system as a named error (`NoSpaceError` E_NO_SPACE, `ReadOnlyError`
 * E_READ_ONLY, both exit 1) that says what could not be done and where, instead of the raw errno
 * text (`ENOSPC: no space left on device, write` names no path). Node and Deno alike: matched by
 * `code` (ENOSPC, EROFS), else by Deno's `(os error 28)` / `(os error 30)`, along the `cause` chain.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { storageErrorOf } from "./storage_error.ts";
 * const raw = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
 * const e = storageErrorOf(raw, { action: "write /w/status.json", path: "/w" });
 * assert.equal(e?.code, "E_NO_SPACE");
 * assert.equal(e?.message, "Cannot write /w/status.json: no space left on device (/w)");
 * assert.equal(storageErrorOf(new Error("boom"), { action: "write", path: "/w" }), undefined);
 * ```
 * @module
 */
import { dirname } from "node:path";
import { NoSpaceError, ReadOnlyError } from "../../core/errors.ts";

/** Which storage failure `error` (or one of its causes: `at`) is, if any. */
function kindOf(
  error: unknown,
): { kind: "no-space" | "read-only"; at: object } | NoSpaceError | ReadOnlyError | undefined {
  let e: unknown = error;
  for (let depth = 0; e !== null && typeof e === "object" && depth < 8; depth++) {
    if (e instanceof NoSpaceError || e instanceof ReadOnlyError) return e;
    const { code, message } = e as { code?: unknown; message?: unknown };
    const text = typeof message === "string" ? message : "";
    if (code === "ENOSPC" || /\(os error 28\)/.test(text)) return { kind: "no-space", at: e };
    if (code === "EROFS" || /\(os error 30\)/.test(text)) return { kind: "read-only", at: e };
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * `error` as a `NoSpaceError` (`Cannot <action>: no space left on device (<path>)`) or a
 * `ReadOnlyError` (`Cannot <action>: read-only file system (<path>)`) when a full or read-only
 * file system caused it, the raw error as `cause`; `undefined` otherwise. `path` is the directory
 * (or file) being written, shown to say which file system it is; without it, the failed call's own
 * path (its directory for a full disk). One already named is returned as it is (the innermost
 * action is the most precise). Use as `throw storageErrorOf(error, { … }) ?? error`.
 */
export function storageErrorOf(
  error: unknown,
  options: { action: string; path?: string },
): NoSpaceError | ReadOnlyError | undefined {
  const found = kindOf(error);
  if (found === undefined || found instanceof NoSpaceError || found instanceof ReadOnlyError) return found;
  const { kind } = found;
  const own = (found.at as { path?: unknown }).path;
  const where = options.path ??
    (typeof own === "string" ? (kind === "no-space" ? dirname(own) : own) : undefined);
  const at = where === undefined ? "" : ` (${where})`;
  return kind === "no-space"
    ? new NoSpaceError(`Cannot ${options.action}: no space left on device${at}`, { cause: error })
    : new ReadOnlyError(`Cannot ${options.action}: read-only file system${at}`, { cause: error });
}
