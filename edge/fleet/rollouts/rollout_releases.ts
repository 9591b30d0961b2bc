/**
 * The releases of a repository view whose app target carries a signed rollout (`custom.rollout`,
 * checked by core/trust when the view was built), computed once per view.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { emptyView } from "../../repo_view.ts";
 * import { rolloutReleasesOf } from "./rollout_releases.ts";
 * assert.deepEqual(rolloutReleasesOf(emptyView()), []);
 * ```
 * @module
 */
import type { AppCustom } from "../../../core/trust/mod.ts";
import type { RepoView } from "../../repo_view.ts";
import type { RolloutRelease } from "./rollout_record.ts";

const MEMO = new WeakMap<RepoView, readonly RolloutRelease[]>();

/** Every release of `view` with a rollout (the same array for the same view). */
export function rolloutReleasesOf(view: RepoView): readonly RolloutRelease[] {
  let releases = MEMO.get(view);
  if (releases) return releases;
  const found: RolloutRelease[] = [];
  for (const target of view.targets.values()) {
    if (target.custom.kind !== "app") continue;
    const c = target.custom as AppCustom;
    if (!c.rollout) continue;
    found.push({ rollout: c.rollout, app: c.name, ref: c.ref, commit: c.commit, serial: c.serial });
  }
  releases = Object.freeze(found);
  MEMO.set(view, releases);
  return releases;
}
