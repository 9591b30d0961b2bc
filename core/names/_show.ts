/**
 * Private: a checked value as error messages show it: quoted, control characters and quotes
 * escaped (a NUL is visible), cut at 80 characters.
 * @module
 */

/** Control characters, backslash and quote: what {@linkcode show} escapes. */
// deno-lint-ignore no-control-regex
const UNSAFE = /[\x00-\x1f\x7f\\']/g;

/**
 * The value as an error message shows it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { show } from "./_show.ts";
 * assert.equal(show("a\0b"), "'a\\x00b'");
 * ```
 */
export function show(value: unknown): string {
  const text = typeof value === "string" ? value : String(value);
  const cut = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return `'${cut.replace(UNSAFE, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)}'`;
}
