/**
 * The names a Drover target's `custom` carries that become directories and file names on devices
 * (an app's name, ref and commit; an image's device type, version and variant), checked by the
 * core/names rules. A signed entry failing them is unsafe: the device refuses the whole metadata
 * (`TrustedRepository`), the edge refuses to publish it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assertTargetNames } from "./target_names.ts";
 * assertTargetNames({ kind: "app", name: "acme/radio", ref: "main", commit: "abc1234", serial: 1 });
 * assert.throws(() => assertTargetNames({ kind: "app", name: "../x", ref: "main", commit: "abc1234", serial: 1 }), TypeError);
 * ```
 * @module
 */
import { assertAppName, assertCommit, assertDeviceType, assertRef, assertSegment } from "../names/mod.ts";

/**
 * Throws `TypeError` unless the names of an `app` or `image` target's `custom` satisfy the
 * core/names rules (and an app's serial is a safe integer, an image's variant `prod` or `dev`).
 * Other kinds pass.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assertTargetNames } from "./target_names.ts";
 * const name = `acme/${"a".repeat(92)}`;
 * assert.throws(() => assertTargetNames({ kind: "app", name, ref: "main", commit: "abc1234", serial: 1 }), /longer than 96/);
 * assertTargetNames({ kind: "manifest", id: "m1" });
 * ```
 */
export function assertTargetNames(custom: Record<string, unknown>): void {
  const c = custom;
  if (c.kind === "app") {
    assertAppName(c.name);
    assertRef(c.ref);
    assertCommit(c.commit);
    if (!Number.isSafeInteger(c.serial)) throw new TypeError("Cannot use app target: bad serial");
  } else if (c.kind === "image") {
    assertDeviceType(c.deviceType);
    assertSegment(c.version, "version");
    if (c.variant !== "prod" && c.variant !== "dev") {
      throw new TypeError("Cannot use image target: bad variant");
    }
  }
}
