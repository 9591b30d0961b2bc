/**
 * Checks for names that become file names or paths: app names, refs, commits, digests.
 * Remote data only reaches the file system through these.
 * @module
 */

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

/** `owner/app` or `app`: one or two safe segments. */
export function isAppName(v: unknown): v is string {
  if (typeof v !== "string" || v.length > 200) return false;
  const parts = v.split("/");
  return parts.length <= 2 && parts.every((p) => SEGMENT.test(p) && p !== "." && p !== "..");
}

/** A ref: one safe segment. */
export function isRef(v: unknown): v is string {
  return typeof v === "string" && v.length <= 200 && SEGMENT.test(v);
}

/** A commit id: hex, 4 to 64 digits. */
export function isCommit(v: unknown): v is string {
  return typeof v === "string" && /^[0-9a-fA-F]{4,64}$/.test(v);
}

/** Lower-case hex SHA-256. */
export function isSha256(v: unknown): v is string {
  return typeof v === "string" && /^[0-9a-f]{64}$/.test(v);
}

/** Lower-case hex SHA-1. */
export function isSha1(v: unknown): v is string {
  return typeof v === "string" && /^[0-9a-f]{40}$/.test(v);
}

/** The file-name form of an app name (`owner/app` -> `owner~app`; `~` is not allowed in names). */
export function appSlug(name: string): string {
  if (!isAppName(name)) throw new TypeError(`Cannot name a file after app '${name}': invalid app name`);
  return name.replace("/", "~");
}
