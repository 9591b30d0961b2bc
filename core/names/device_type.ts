/**
 * Device type slugs and aliases (`raspberrypi4-64`, `rpi4`): one safe segment each, as they name
 * image directories (`images/<slug>/…`) and URL segments. Lookups by slug or alias ignore case
 * (core/version `DeviceTypes`); the names themselves keep theirs.
 *
 * @module
 */
import { show } from "./_show.ts";
import { isSegment } from "./segment.ts";

/**
 * True when `value` can be a device type slug or alias.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isDeviceType } from "./device_type.ts";
 * assert.ok(isDeviceType("raspberrypi4-64"));
 * assert.ok(!isDeviceType("rpi 4") && !isDeviceType("../rpi4"));
 * ```
 */
export function isDeviceType(value: unknown): value is string {
  return isSegment(value);
}

/**
 * Throws `TypeError` unless `value` can be a device type slug or alias; `what` names it
 * (default `device type`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assertDeviceType } from "./device_type.ts";
 * assertDeviceType("rpi4");
 * assert.throws(() => assertDeviceType("rpi4/..", { what: "alias" }), /alias/);
 * ```
 */
export function assertDeviceType(value: unknown, options: { what?: string } = {}): asserts value is string {
  if (!isDeviceType(value)) {
    throw new TypeError(
      `Cannot use ${options.what ?? "device type"} ${show(value)}: expected one safe segment`,
    );
  }
}
