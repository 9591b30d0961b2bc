/**
 * Turns a modern-tar header into a checked ArchiveEntry (private to core/archive).
 * @module
 */
import type { TarHeader } from "modern-tar";
import { IntegrityError } from "../errors.ts";
import type { ArchiveEntry } from "./archive_entry.ts";
import { checkSymlinkTarget, normaliseEntryPath, quote } from "./_paths.ts";

/** Running totals across one archive. */
export interface EntryCounters {
  entries: number;
  totalSize: number;
  /** Last entry name seen (raw), for errors that cannot name their own entry. */
  lastPath: string | undefined;
}

/** Caps in force. */
export interface EntryLimits {
  maxEntrySize: number;
  maxEntries: number;
  maxTotalSize: number;
}

const REFUSED_TYPES = new Set(["character-device", "block-device", "fifo"]);

/**
 * Check one header against the rules and caps. Returns `undefined` for the root directory
 * entry ("./"), which carries nothing to extract. Throws IntegrityError naming the entry.
 */
export function checkEntry(
  header: TarHeader,
  { limits, counters }: { limits: EntryLimits; counters: EntryCounters },
): ArchiveEntry | undefined {
  const raw = header.name;
  counters.lastPath = raw;
  const name = quote(raw);
  counters.entries++;
  if (counters.entries > limits.maxEntries) {
    throw new IntegrityError(`Cannot extract entry ${name}: more than ${limits.maxEntries} entries`);
  }
  const type = header.type ?? "file";
  if (REFUSED_TYPES.has(type)) {
    throw new IntegrityError(`Cannot extract entry ${name}: ${type} entries are refused`);
  }
  if (type !== "file" && type !== "directory" && type !== "symlink" && type !== "link") {
    throw new IntegrityError(`Cannot extract entry ${name}: unsupported type ${quote(String(type))}`);
  }
  if (header.pax && Object.keys(header.pax).some((k) => k.startsWith("GNU.sparse"))) {
    throw new IntegrityError(`Cannot extract entry ${name}: sparse files are not supported`);
  }
  const size = header.size;
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new IntegrityError(`Cannot extract entry ${name}: invalid size`);
  }
  if (size > limits.maxEntrySize) {
    throw new IntegrityError(
      `Cannot extract entry ${name}: ${size} bytes is over the ${limits.maxEntrySize}-byte cap`,
    );
  }
  counters.totalSize += size;
  if (counters.totalSize > limits.maxTotalSize) {
    throw new IntegrityError(
      `Cannot extract entry ${name}: archive contents over the ${limits.maxTotalSize}-byte total cap`,
    );
  }
  const mtime = header.mtime ?? new Date(0);
  if (!Number.isFinite(mtime.getTime())) {
    throw new IntegrityError(`Cannot extract entry ${name}: invalid mtime`);
  }
  const mode = header.mode ?? (type === "directory" ? 0o755 : 0o644);
  if (!Number.isSafeInteger(mode) || mode < 0) {
    throw new IntegrityError(`Cannot extract entry ${name}: invalid mode`);
  }

  const path = normaliseEntryPath(raw);
  if (path === "") {
    if (type === "directory") return undefined;
    throw new IntegrityError(`Cannot extract entry ${name}: a ${type} cannot replace the root`);
  }
  const entry: ArchiveEntry = {
    path,
    type: type === "link" ? "hardlink" : type,
    mode: mode & 0o777,
    mtime,
    size: type === "file" ? size : 0,
  };
  if (type === "symlink") {
    entry.linkTarget = checkSymlinkTarget(path, header.linkname ?? "");
  } else if (type === "link") {
    const target = normaliseEntryPath(header.linkname ?? "", `hard link ${name} to`);
    if (target === "" || target === path) {
      throw new IntegrityError(
        `Cannot extract hard link ${name}: invalid target ${quote(header.linkname ?? "")}`,
      );
    }
    entry.linkTarget = target;
  }
  return entry;
}
