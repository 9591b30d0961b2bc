/**
 * The version `drover --version` and `drover-repo --version` print: deno.json's "version", the one
 * place it is written (the bundles carry it: esbuild inlines the JSON import).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VERSION } from "./version.ts";
 * assert.ok(/^\d+\.\d+\.\d+/.test(VERSION));
 * ```
 * @module
 */
import config from "../../deno.json" with { type: "json" };

/** Drover's version. */
export const VERSION: string = config.version;
