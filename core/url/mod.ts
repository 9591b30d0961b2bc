/**
 * URLs under a base URL.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { joinUrl } from "./mod.ts";
 * assert.equal(joinUrl("http://127.0.0.1:8787/repo", "tuf/1.root.json").pathname, "/repo/tuf/1.root.json");
 * ```
 * @module
 */
export { baseUrl, joinUrl } from "./base_url.ts";
