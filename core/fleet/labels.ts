/**
 * Device labels: at most 32 `key: value` pairs an operator filters devices by (`site`,
 * `customer/region`, …). Keys are 1 to 63 characters `[A-Za-z0-9][A-Za-z0-9._/-]*`; values 0 to
 * 128 characters without control characters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLabel, parseLabels } from "./labels.ts";
 * assert.deepEqual(parseLabels({ site: "north", "hw/rev": "3" }), { site: "north", "hw/rev": "3" });
 * assert.deepEqual(parseLabel("site=north=2"), { key: "site", value: "north=2" });
 * assert.throws(() => parseLabels({ "bad key": "x" }), TypeError);
 * ```
 * @module
 */
import { type At, below, text } from "./_validate.ts";

/** A label key. */
export const LABEL_KEY: RegExp = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/;
/** Most labels a device may carry. */
export const MAX_LABELS = 32;
/** Longest label value. */
export const MAX_LABEL_VALUE = 128;

/**
 * Check a labels object (parsed JSON); returns a fresh copy with keys in sorted order.
 * `TypeError`/`RangeError` naming the offending key. `at` names the document in messages.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLabels } from "./labels.ts";
 * assert.throws(() => parseLabels({ a: "\u0007" }, { doc: "inventory", path: "labels" }), /inventory: labels.a/);
 * ```
 */
export function parseLabels(
  value: unknown,
  at: At = { doc: "labels", path: "labels" },
): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`Cannot read ${at.doc}: ${at.path} must be an object`);
  }
  const input = value as Record<string, unknown>;
  if (Object.keys(input).length > MAX_LABELS) {
    throw new RangeError(`Cannot read ${at.doc}: ${at.path} has more than ${MAX_LABELS} labels`);
  }
  const out: Record<string, string> = {};
  for (const key of Object.keys(input).sort()) {
    text(key, { doc: at.doc, path: `${at.path} key` }, { max: 63, pattern: LABEL_KEY, hint: "a label key" });
    out[key] = text(input[key], below(at, key), { min: 0, max: MAX_LABEL_VALUE });
  }
  return out;
}

/**
 * Parse one `KEY=VALUE` (the CLI's `--label` and the fleet API's `label=` filter); the value may
 * hold `=`. `TypeError` when malformed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLabel } from "./labels.ts";
 * assert.throws(() => parseLabel("novalue"), TypeError);
 * ```
 */
export function parseLabel(pair: string): { key: string; value: string } {
  const at: At = { doc: "label", path: "'" + String(pair).slice(0, 40) + "'" };
  if (typeof pair !== "string" || !pair.includes("=")) {
    throw new TypeError(`Cannot read label: expected KEY=VALUE, got '${String(pair).slice(0, 40)}'`);
  }
  const eq = pair.indexOf("=");
  const key = text(pair.slice(0, eq), at, {
    max: 63,
    pattern: LABEL_KEY,
    hint: "KEY=VALUE with a valid key",
  });
  const value = text(pair.slice(eq + 1), at, { min: 0, max: MAX_LABEL_VALUE });
  return { key, value };
}
