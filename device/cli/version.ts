/**
 * The version `drover --version` prints (kept in step with deno.json's "version").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VERSION } from "./version.ts";
 * assert.ok(/^\d+\.\d+\.\d+/.test(VERSION));
 * ```
 * @module
 */

/** Drover's version. */
export const VERSION = "0.1.0";
