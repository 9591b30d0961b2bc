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
