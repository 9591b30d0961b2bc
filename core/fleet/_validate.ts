/**
 * Private: strict checks for device-supplied JSON documents (core/fleet). Each throws
 * `TypeError` (wrong type, unknown field, bad format) or `RangeError` (length or count out of
 * range) with the message `Cannot read <doc>: <path> <problem>`.
 */

import { isAppName, MAX_APP_NAME_LENGTH } from "../names/mod.ts";

/** How a safe name segment is described in messages. */
export const SEGMENT_HINT = "one safe segment ([A-Za-z0-9][A-Za-z0-9._+-]*, at most 128 chars)";

/** Where a value sits: the document name and the path inside it. */
export interface At {
  doc: string;
  path: string;
}

// C0 controls, DEL and C1 controls: never in a stored name, value or message.
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// deno-lint-ignore no-control-regex
const CONTROL_BUT_TAB_LF = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** A path below `at`. */
export function below(at: At, key: string | number): At {
  return { doc: at.doc, path: typeof key === "number" ? `${at.path}[${key}]` : `${at.path}.${key}` };
}

function fail(at: At, problem: string, options: { range?: boolean } = {}): never {
  throw new (options.range ? RangeError : TypeError)(`Cannot read ${at.doc}: ${at.path} ${problem}`);
}

/** A plain JSON object with only `allowed` keys (every one in `required` present). */
export function record(
  value: unknown,
  at: At,
  keys: { required: readonly string[]; optional?: readonly string[] },
): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(at, "must be an object");
  const allowed = new Set([...keys.required, ...(keys.optional ?? [])]);
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) fail(at, `has an unknown field '${key.slice(0, 40)}'`);
  }
  for (const key of keys.required) {
    if (!Object.hasOwn(value, key)) fail(at, `lacks '${key}'`);
  }
  return value as Record<string, unknown>;
}

/** An array of at most `max` entries. */
export function list(value: unknown, at: At, options: { max: number }): unknown[] {
  const max = options.max;
  if (!Array.isArray(value)) fail(at, "must be an array");
  if (value.length > max) fail(at, `has ${value.length} entries, at most ${max} allowed`, { range: true });
  return value;
}

/**
 * A string of 1 to `max` characters (`min` to override) without control characters (tab and
 * line feed allowed with `multiline`), matching `pattern` and passing `valid` when given (a
 * core/names rule); `hint` says what is expected.
 */
export function text(
  value: unknown,
  at: At,
  options: {
    max: number;
    min?: number;
    pattern?: RegExp;
    valid?: (value: string) => boolean;
    hint?: string;
    multiline?: boolean;
  },
): string {
  if (typeof value !== "string") fail(at, "must be a string");
  const min = options.min ?? 1;
  if (value.length < min || value.length > options.max) {
    fail(at, `must be ${min} to ${options.max} characters long`, { range: true });
  }
  if ((options.multiline ? CONTROL_BUT_TAB_LF : CONTROL).test(value)) fail(at, "holds control characters");
  if ((options.pattern && !options.pattern.test(value)) || (options.valid && !options.valid(value))) {
    fail(at, `must be ${options.hint ?? `like ${options.pattern?.source}`}`);
  }
  return value;
}

/** An integer from `min` to `max` (default 0 to 2^53-1). */
export function integer(value: unknown, at: At, options: { min?: number; max?: number } = {}): number {
  const min = options.min ?? 0, max = options.max ?? Number.MAX_SAFE_INTEGER;
  if (typeof value !== "number" || !Number.isSafeInteger(value)) fail(at, "must be an integer");
  if (value < min || value > max) fail(at, `must be from ${min} to ${max}`, { range: true });
  return value;
}

/** One of `choices`. */
export function oneOf<T extends string>(value: unknown, at: At, options: { choices: readonly T[] }): T {
  const choices = options.choices;
  if (typeof value !== "string" || !(choices as readonly string[]).includes(value)) {
    fail(at, `must be one of ${choices.join(", ")}`);
  }
  return value as T;
}

/** The schema version: `RangeError` for one this code does not know. */
export function schema(value: unknown, at: At, options: { known: number }): number {
  const known = options.known;
  if (value !== known) {
    fail(at, `is ${JSON.stringify(value)?.slice(0, 20)}: this Drover reads schema ${known} only`, {
      range: true,
    });
  }
  return known;
}

/** An app name `OWNER/APP` (core/names). */
export function appName(value: unknown, at: At): string {
  return text(value, at, {
    max: 257,
    valid: isAppName,
    hint: `OWNER/APP of at most ${MAX_APP_NAME_LENGTH} chars, each part ${SEGMENT_HINT}`,
  });
}
