/**
 * Names of delegated targets roles. A role's name becomes a file name on devices
 * (`<workspace>/tuf/<name>.json`) and in repositories (`tuf/<version>.<name>.json`), and a URL
 * segment, so Drover accepts only lower-case letters, digits, `_`, `-` and single dots between them
 * (a letter or digit first and last, at most 128 characters, as in `registry.npmjs.org`): never `/`
 * or `..`, never a name that starts like a version (`1.x`), never a top-level role's name.
 * Signed metadata that delegates to any other name is refused.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isDelegatedRoleName } from "./role_name.ts";
 * assert.ok(isDelegatedRoleName("team-radio"));
 * assert.ok(!isDelegatedRoleName("../root") && !isDelegatedRoleName("Targets") && !isDelegatedRoleName("a..b") && isDelegatedRoleName("registry.npmjs.org"));
 * ```
 * @module
 */
import { TrustError } from "../errors.ts";

const NAME = /^[a-z0-9](?:[a-z0-9_-]|\.(?!\.)){0,126}(?<!\.)$/;
/** `1.root`-like names would read as a versioned file name (`tuf/<N>.<role>.json`). */
const VERSIONED = /^[0-9]+\./;
const TOP_LEVEL = new Set(["root", "targets", "snapshot", "timestamp"]);

/**
 * True when `name` may name a delegated role (see the module documentation).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isDelegatedRoleName } from "./role_name.ts";
 * assert.ok(isDelegatedRoleName("acme") && !isDelegatedRoleName("snapshot"));
 * ```
 */
export function isDelegatedRoleName(name: unknown): name is string {
  return typeof name === "string" && NAME.test(name) && !VERSIONED.test(name) && !TOP_LEVEL.has(name);
}

/**
 * Throws `TrustError` naming `where` unless `name` may name a delegated role.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assertDelegatedRoleName } from "./role_name.ts";
 * assert.throws(() => assertDelegatedRoleName("a/b", "targets metadata"), /not a safe role name/);
 * ```
 */
export function assertDelegatedRoleName(name: unknown, where: string): asserts name is string {
  if (!isDelegatedRoleName(name)) {
    const shown = typeof name === "string" ? JSON.stringify(name.slice(0, 80)) : typeof name;
    throw new TrustError(
      `Cannot trust ${where}: delegated role name ${shown} is not a safe role name ` +
        "(lower-case letters, digits, '_', '-' and single dots; not a top-level role)",
    );
  }
}
