/**
 * Path rules of archive entries (private to core/archive).
 * @module
 */
import { IntegrityError } from "../errors.ts";

/** Printable form of a name for error messages (control characters escaped). */
export function quote(name: string): string {
  return JSON.stringify(name.length > 200 ? name.slice(0, 200) + "…" : name);
}

/**
 * Normalise an entry name to a relative path inside the root.
 * Returns "" for the root itself ("./", "."). Throws IntegrityError for absolute paths,
 * `..` segments, NUL bytes and empty names.
 */
export function normaliseEntryPath(raw: string, what = "entry"): string {
  if (raw.length === 0) throw new IntegrityError(`Cannot extract ${what}: empty name`);
  if (raw.includes("\0")) throw new IntegrityError(`Cannot extract ${what} ${quote(raw)}: name contains NUL`);
  if (raw.startsWith("/")) throw new IntegrityError(`Cannot extract ${what} ${quote(raw)}: absolute path`);
  const parts: string[] = [];
  for (const part of raw.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      throw new IntegrityError(`Cannot extract ${what} ${quote(raw)}: '..' in path escapes the root`);
    }
    parts.push(part);
  }
  return parts.join("/");
}

/**
 * Check a symlink target. Allowed: relative targets made of leading `..` segments (no more than
 * the link's depth) followed by plain names. Such a link, sitting in a real directory (the
 * extractor never writes through symlinks), always resolves inside the root, whatever other
 * links it meets. Returns the target with `.` segments and doubled slashes removed.
 */
export function checkSymlinkTarget(linkPath: string, target: string): string {
  const where = `symlink ${quote(linkPath)} -> ${quote(target)}`;
  if (target.length === 0) throw new IntegrityError(`Cannot extract ${where}: empty target`);
  if (target.includes("\0")) throw new IntegrityError(`Cannot extract ${where}: target contains NUL`);
  if (target.startsWith("/")) throw new IntegrityError(`Cannot extract ${where}: absolute target`);
  const depth = linkPath.split("/").length - 1;
  const parts: string[] = [];
  let ups = 0;
  for (const part of target.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length > 0) {
        throw new IntegrityError(`Cannot extract ${where}: '..' after a name in the target`);
      }
      ups++;
      if (ups > depth) throw new IntegrityError(`Cannot extract ${where}: target points outside the root`);
      continue;
    }
    parts.push(part);
  }
  const out = [...Array(ups).fill(".."), ...parts].join("/");
  return out === "" ? "." : out;
}
