/**
 * The version `drover --version` prints (kept in step with deno.json's "version").
 *
 * @example
 * ```ts
 * import { VERSION } from "./version.ts";
 * console.assert(/^\d+\.\d+\.\d+/.test(VERSION));
 * ```
 * @module
 */

/** Drover's version. */
export const VERSION = "0.1.0";
