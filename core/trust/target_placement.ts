/**
 * Where a Drover target must sit, given what its `custom` says: delegated roles are trusted for
 * paths, so a target they sign may claim nothing its path does not (otherwise a team delegated
 * `apps/acme/…` could sign a release of another team's app under its own path).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assertTargetPlacement } from "./target_placement.ts";
 * const custom = { kind: "app", name: "acme/radio", ref: "main", commit: "abc1234" };
 * assertTargetPlacement("apps/acme/radio/main/abc1234.tar.gz", custom);
 * assert.throws(() => assertTargetPlacement("apps/team/x/main/abc1234.tar.gz", custom), TypeError);
 * ```
 * @module
 */
import { DEVICE_TYPES_PATH } from "./target_paths.ts";

/**
 * Throws `TypeError` unless a Drover target sits at the path its `custom` names: an app at
 * `apps/<name>/<ref>/<commit>.tar.gz` (or `.tar`), an image at
 * `images/<deviceType>/<version>/<variant>/<file>`, the device-types document at
 * `device-types.json`, a manifest at `manifests/<id>.json` (an artifact at `artifacts/<artifact>`).
 * Other kinds are not Drover's and pass.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assertTargetPlacement } from "./target_placement.ts";
 * assert.throws(() => assertTargetPlacement("apps/x.json", { kind: "device-types" }), /belongs at device-types.json/);
 * ```
 */
export function assertTargetPlacement(path: string, custom: Record<string, unknown>): void {
  const c = custom;
  let ok = true;
  let expected = "";
  if (c.kind === "app") {
    expected = `apps/${c.name}/${c.ref}/${c.commit}.tar.gz`;
    ok = path === expected || path === expected.replace(/\.gz$/, "");
  } else if (c.kind === "image") {
    const prefix = `images/${c.deviceType}/${c.version}/${c.variant}/`;
    expected = `${prefix}<file>`;
    const file = path.startsWith(prefix) ? path.slice(prefix.length) : "";
    ok = file !== "" && !file.includes("/");
  } else if (c.kind === "device-types") {
    expected = DEVICE_TYPES_PATH;
    ok = path === expected;
  } else if (c.kind === "manifest") {
    expected = typeof c.artifact === "string" ? `artifacts/${c.artifact}` : `manifests/${c.id}.json`;
    ok = path === expected;
  }
  if (!ok) throw new TypeError(`Cannot use target '${path}': its ${String(c.kind)} belongs at ${expected}`);
}
