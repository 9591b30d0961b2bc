/**
 * The releases of a repository view whose app target carries a signed rollout (`custom.rollout`,
 * checked by core/trust when the view was built), computed once per view, each with the serial of
 * the newest release of its app and ref in the view (any app target, with a rollout or without):
 * a rollout whose release is older is superseded.
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
  const found: AppCustom[] = [];
  const newest = new Map<string, number>();
  for (const target of view.targets.values()) {
    if (target.custom.kind !== "app") continue;
    const c = target.custom as AppCustom;
    const key = `${c.name}\n${c.ref}`;
    newest.set(key, Math.max(newest.get(key) ?? c.serial, c.serial));
    if (c.rollout) found.push(c);
  }
  releases = Object.freeze(found.map((c) => ({
    rollout: c.rollout!,
    app: c.name,
    ref: c.ref,
    commit: c.commit,
    serial: c.serial,
    newestSerial: newest.get(`${c.name}\n${c.ref}`)!,
  })));
  MEMO.set(view, releases);
  return releases;
}
