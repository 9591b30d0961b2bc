/**
 * Version and device-type resolution.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DeviceTypes, resolveVersion } from "./mod.ts";
 * assert.equal(resolveVersion([{ version: "1.0.0" }], "^1").version, "1.0.0");
 * assert.equal(new DeviceTypes([{ slug: "rpi4", aliases: [] }]).resolve("rpi4").slug, "rpi4");
 * ```
 * @module
 */
export { resolveVersion, type ResolveVersionOptions, type VersionEntry } from "./resolve_version.ts";
export { type DeviceType, DeviceTypes } from "./device_types.ts";
