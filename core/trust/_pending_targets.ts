/**
 * Private: the targets a {@linkcode RepositoryWriter} will commit (`WriterState.pending`): loaded
 * from the current metadata, checked as `setTarget` adds them, and listed for signing.
 */
import { type TargetInfo, targetInfoFromTuf, targetInfoToTuf } from "./target_info.ts";
import { targetUrl } from "./target_paths.ts";
import type { WriterState } from "./_writer_state.ts";

/** A target entry as targets metadata lists it. */
type TufEntry = [string, ReturnType<typeof targetInfoToTuf>];

/**
 * Reset the pending targets to those of the current metadata: of the delegated role the writer is
 * opened for, else top-level targets (the staged version, awaiting signatures, when there is one).
 */
export function loadPending(state: WriterState): void {
  state.pending.clear();
  // top-level targets build on staged metadata (awaiting signatures) when there is some
  const signed = state.role
    ? state.delegated.get(state.role.name)?.env.signed
    : (state.staged ?? state.targets).signed;
  for (const [path, entry] of Object.entries(signed?.targets ?? {})) {
    state.pending.set(path, targetInfoFromTuf(path, entry));
  }
}

/** `target` as a pending entry of `path`: validated path, length, sha256 (its URL) and `custom.kind`. */
export function pendingTarget(
  path: string,
  target: Pick<TargetInfo, "length" | "hashes" | "custom">,
): TargetInfo {
  if (!Number.isSafeInteger(target.length) || target.length < 0) {
    throw new RangeError(`Cannot set target ${path}: invalid length ${target.length}`);
  }
  const sha256 = target.hashes?.sha256;
  // Drover's repositories are content-addressed by sha256 (edge blobs, device caches)
  if (sha256 === undefined) throw new TypeError(`Cannot set target ${path}: no sha256`);
  const url = targetUrl(path, sha256);
  if (typeof target.custom?.kind !== "string") {
    throw new TypeError(`Cannot set target ${path}: custom.kind missing`);
  }
  return { path, length: target.length, hashes: { ...target.hashes }, custom: { ...target.custom }, url };
}

/** The pending targets as metadata entries, sorted by path. */
export function pendingEntries(state: WriterState): TufEntry[] {
  return [...state.pending.values()].sort((a, b) => (a.path < b.path ? -1 : 1))
    .map((t) => [t.path, targetInfoToTuf(t)] as TufEntry);
}
