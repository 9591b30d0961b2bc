/** Private: what `repo` prints when targets metadata is staged below its threshold. */
import type { StagedTargets } from "../../core/trust/mod.ts";

/** One line (and a newline) naming what is staged, what it lacks and how to complete it. */
export function stagedNote(s: StagedTargets): string {
  const missing = s.missing.map((k) => k.slice(0, 16)).join(", ");
  const needs = s.signatures >= s.threshold
    ? "complete; publish it with the snapshot and timestamp keys: repo sign --repo DIR --keys DIR"
    : `add signatures: repo sign --repo DIR --keys DIR --key FILE (keys not signed yet: ${missing})`;
  return `targets v${s.version} staged in ${s.path}, not published: signed by ${s.signatures}/${s.threshold} keys; ${needs}\n`;
}

/**
 * Where a command's change went, for its result line: `targets v3` when published, else e.g.
 * `staged as targets v3, not published: needs 1 more targets signature (repo sign)`.
 */
export function stagedOrPublished(versions: { targets: number }, staged: StagedTargets | undefined): string {
  if (!staged) return `targets v${versions.targets}`;
  const more = staged.threshold - staged.signatures;
  const needs = more > 0
    ? `needs ${more} more targets signature${more === 1 ? "" : "s"}`
    : "signed; needs the snapshot and timestamp keys";
  return `staged as targets v${staged.version}, not published: ${needs} (repo sign)`;
}
