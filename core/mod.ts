/**
 * Drover's platform-agnostic core: Web APIs and Web Streams only, so it runs unchanged on Deno,
 * Node, Bun and Cloudflare Workers. Runtimes with `node:*` built-ins inject native hashing and
 * gunzip with `setAbilities(nodeAbilities)` from `core/node.ts` (not re-exported here).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveVersion } from "./mod.ts";
 * const v = resolveVersion([{ version: "1.0.0" }, { version: "1.1.0-beta.1" }], "recommended");
 * assert.equal(v.version, "1.0.0");
 * ```
 * @module
 */
export * from "./errors.ts";
export * from "./names/mod.ts";
export * from "./abilities.ts";
export * from "./version/mod.ts";
export * from "./verify/mod.ts";
export * from "./archive/mod.ts";
export * from "./trust/mod.ts";
export * from "./manifest/mod.ts";
export * from "./url/mod.ts";
