/**
 * The signed rollout of an app release, as `repo add-app --rollout` writes it into the release's
 * targets metadata (`custom.rollout`):
 *
 * ```json
 * { "id": "acme:radio:main:7:0123abc", "publishedAt": "2026-03-01T12:00:00Z",
 *   "steps": [{ "afterHours": 0, "percent": 5 }, { "afterHours": 24, "percent": 25 }, { "afterHours": 72, "percent": 100 }],
 *   "halt": { "minDevices": 5, "maxFailurePercent": 20 } }
 * ```
 *
 * Steps count from `publishedAt` (the signed publication time); a release without a rollout goes
 * to every device at once. {@linkcode parseRollout} is strict: a field an older reader ignored
 * could be a restriction it would silently widen, so unknown fields are refused too.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRollout, parseRollout } from "./rollout.ts";
 * const rollout = createRollout({ id: "acme:radio:main:7:0123abc", publishedAt: new Date("2026-03-01T12:00:00Z"),
 *   steps: "5,25@24h,100@72h" });
 * assert.deepEqual(rollout.halt, { minDevices: 5, maxFailurePercent: 20 });
 * assert.deepEqual(parseRollout(JSON.parse(JSON.stringify(rollout))), rollout);
 * assert.throws(() => parseRollout({ ...rollout, steps: [] }), RangeError);
 * ```
 * @module
 */
import { checkSteps, MAX_ROLLOUT_HOURS, MAX_ROLLOUT_STEPS } from "./_check_steps.ts";
import { parseRolloutSteps, type RolloutStep } from "./rollout_steps.ts";

export { MAX_ROLLOUT_HOURS, MAX_ROLLOUT_STEPS, type RolloutStep };

/** When the edge halts a rollout (see `haltVerdict`). */
export interface RolloutHalt {
  /** Devices that must have finished the install before the failure rate counts (at least 1). */
  readonly minDevices: number;
  /** Halt when more than this percent of the finished devices failed, rolled back or went silent. */
  readonly maxFailurePercent: number;
}

/** A signed staged rollout. */
export interface Rollout {
  /** Unique per publication; with the device id it seeds the device's bucket. */
  readonly id: string;
  /** ISO 8601 UTC: the signed publication time the steps count from. */
  readonly publishedAt: string;
  readonly steps: readonly RolloutStep[];
  readonly halt: RolloutHalt;
}

/** Halt rule used when a publisher gives none: 5 devices, more than 20% bad. */
export const DEFAULT_ROLLOUT_HALT: RolloutHalt = Object.freeze({ minDevices: 5, maxFailurePercent: 20 });

/**
 * A rollout id: 1 to 512 characters `[A-Za-z0-9._+@:-]`, starting with a letter or digit; no `/`,
 * so it is one URL path segment as it is (`/v1/fleet/rollouts/<id>`).
 */
export const ROLLOUT_ID: RegExp = /^[A-Za-z0-9][A-Za-z0-9._+@:-]{0,511}$/;

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;
const WHERE = "Cannot read rollout";

/**
 * Check a rollout read from signed metadata (parsed JSON) and return a frozen copy. `TypeError`
 * for a wrong shape or an unknown field, `RangeError` for a value out of range, each naming the
 * field: `Cannot read rollout: steps[1].percent …`. core/trust turns either into a `TrustError`
 * (the target is unusable; it never falls back to "every device").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRollout } from "./rollout.ts";
 * const base = { id: "r1", publishedAt: "2026-03-01T12:00:00Z", halt: { minDevices: 5, maxFailurePercent: 20 } };
 * assert.equal(parseRollout({ ...base, steps: [{ afterHours: 0, percent: 100 }] }).steps.length, 1);
 * assert.throws(() => parseRollout({ ...base, steps: [{ afterHours: 0, percent: "5" }] }), /steps\[0\]\.percent/);
 * assert.throws(() => parseRollout({ ...base, steps: [{ afterHours: 0, percent: 5 }], extra: 1 }), /unknown field 'extra'/);
 * ```
 */
export function parseRollout(value: unknown): Rollout {
  const r = record(value, "rollout", ["id", "publishedAt", "steps", "halt"]);
  if (typeof r.id !== "string" || !ROLLOUT_ID.test(r.id)) {
    throw new TypeError(`${WHERE}: id must be 1 to 512 characters [A-Za-z0-9._+@:-]`);
  }
  const publishedAt = r.publishedAt;
  if (typeof publishedAt !== "string" || !isIsoUtc(publishedAt)) {
    throw new TypeError(`${WHERE}: publishedAt must be an ISO 8601 UTC time (2026-03-01T12:00:00Z)`);
  }
  if (!Array.isArray(r.steps)) throw new TypeError(`${WHERE}: steps must be an array`);
  if (r.steps.length > MAX_ROLLOUT_STEPS) {
    throw new RangeError(`${WHERE}: ${r.steps.length} steps, at most ${MAX_ROLLOUT_STEPS} allowed`);
  }
  const steps = r.steps.map((s, i) => {
    const step = record(s, `steps[${i}]`, ["afterHours", "percent"]);
    return Object.freeze({
      afterHours: finite(step.afterHours, `steps[${i}].afterHours`),
      percent: finite(step.percent, `steps[${i}].percent`),
    });
  });
  checkSteps(steps, WHERE);
  const h = record(r.halt, "halt", ["minDevices", "maxFailurePercent"]);
  const minDevices = finite(h.minDevices, "halt.minDevices");
  const maxFailurePercent = finite(h.maxFailurePercent, "halt.maxFailurePercent");
  if (!Number.isSafeInteger(minDevices) || minDevices < 1) {
    throw new RangeError(`${WHERE}: halt.minDevices ${minDevices} is not a whole number >= 1`);
  }
  if (!Number.isInteger(maxFailurePercent) || maxFailurePercent < 0 || maxFailurePercent > 100) {
    throw new RangeError(
      `${WHERE}: halt.maxFailurePercent ${maxFailurePercent} is not a whole number in [0, 100]`,
    );
  }
  return Object.freeze({
    id: r.id,
    publishedAt,
    steps: Object.freeze(steps),
    halt: Object.freeze({ minDevices, maxFailurePercent }),
  });
}

/**
 * Build a rollout for publication: `steps` as a `--rollout` spec (`"5,25@24h,100@72h"`) or as
 * steps; `publishedAt` is written to the second; `halt` fields left out (or `undefined`) default to
 * {@linkcode DEFAULT_ROLLOUT_HALT}. The same checks as {@linkcode parseRollout} (plus
 * `SyntaxError` for a bad spec).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRollout } from "./rollout.ts";
 * const r = createRollout({ id: "r1", publishedAt: new Date("2026-03-01T12:00:00.250Z"), steps: "10,100@48h",
 *   halt: { minDevices: 20 } });
 * assert.equal(r.publishedAt, "2026-03-01T12:00:00Z");
 * assert.deepEqual(r.halt, { minDevices: 20, maxFailurePercent: 20 });
 * assert.throws(() => createRollout({ id: "r1", publishedAt: new Date(), steps: "10,5@1h" }), RangeError);
 * ```
 */
export function createRollout(init: {
  id: string;
  publishedAt: Date;
  steps: string | readonly RolloutStep[];
  halt?: Partial<RolloutHalt>;
}): Rollout {
  const time = init.publishedAt;
  if (!(time instanceof Date) || !Number.isFinite(time.getTime())) {
    throw new TypeError("Cannot create rollout: publishedAt must be a valid Date");
  }
  const steps = typeof init.steps === "string" ? parseRolloutSteps(init.steps) : init.steps;
  return parseRollout({
    id: init.id,
    publishedAt: time.toISOString().replace(/\.\d{3}Z$/, "Z"),
    steps: steps.map((s) => ({ afterHours: s.afterHours, percent: s.percent })),
    halt: {
      minDevices: init.halt?.minDevices ?? DEFAULT_ROLLOUT_HALT.minDevices,
      maxFailurePercent: init.halt?.maxFailurePercent ?? DEFAULT_ROLLOUT_HALT.maxFailurePercent,
    },
  });
}

function record(value: unknown, path: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`${WHERE}: ${path} must be an object`);
  }
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) {
      throw new TypeError(`${WHERE}: ${path} has an unknown field '${key.slice(0, 40)}'`);
    }
  }
  for (const key of keys) {
    if (!Object.hasOwn(value, key)) throw new TypeError(`${WHERE}: ${path} lacks '${key}'`);
  }
  return value as Record<string, unknown>;
}

function finite(value: unknown, path: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TypeError(`${WHERE}: ${path} must be a finite number`);
  }
  return value;
}

function isIsoUtc(text: string): boolean {
  if (!ISO_UTC.test(text)) return false;
  const ms = Date.parse(text);
  // Date.parse accepts 2026-02-30; the round trip does not
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 19) === text.slice(0, 19);
}
