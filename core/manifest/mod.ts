/**
 * Device manifests and the install builder (seed 002).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { InstallBuilder, MemorySource } from "./mod.ts";
 * const b = new InstallBuilder({ verify: async () => {} }).setManifestId("m").addSource(new MemorySource());
 * await b.build();
 * assert.equal(b.getFirstMissing(), "m");
 * ```
 * @module
 */
export * from "./reasons.ts";
export * from "./manifest.ts";
export * from "./mini_hash.ts";
export * from "./source.ts";
export * from "./memory_source.ts";
export * from "./composite_source.ts";
export * from "./install_builder.ts";
