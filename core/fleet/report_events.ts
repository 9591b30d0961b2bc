/**
 * Install outcome events a device reports (`POST /v1/devices/<id>/reports`), one per stage of an
 * install, spooled on the device and sent in batches, idempotent by event id (unique per
 * device). {@linkcode parseReportBatch} checks a parsed JSON body strictly.
 *
 * ```json
 * { "schema": 1, "events": [{ "id": "0b6c…-uuid", "app": "acme/radio", "commit": "68200ec",
 *   "stage": "health", "result": "ok", "durationMs": 5200, "at": "2026-01-01T00:00:00.000Z" }] }
 * ```
 * Stages: download, verify, install, health, rollback. Results: ok, error, rolled_back.
 * `errorCode` (`E_…`), `message` (up to 1000 characters, tab and line feed allowed), `bytes` and
 * `durationMs` are optional; `at` is the device's clock (ISO 8601 UTC), informational only.
 *
 * An event is an install *outcome* unless it is an `ok` of the `download` or `verify` stage
 * (progress): the latest outcome of a device is its `lastInstall` in the fleet view.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isOutcome, parseReportBatch } from "./report_events.ts";
 * const batch = parseReportBatch({ schema: 1, events: [{
 *   id: "6f1c1e9e-1d2f-4c1b-9d7a-0c1e2f3a4b5c", app: "acme/radio", commit: "68200ec",
 *   stage: "health", result: "error", errorCode: "E_HEALTH", at: "2026-01-01T00:00:00Z",
 * }] });
 * assert.equal(batch.events[0]?.stage, "health");
 * assert.equal(isOutcome(batch.events[0]!), true);
 * assert.throws(() => parseReportBatch({ schema: 1, events: [{ id: "x" }] }), TypeError);
 * ```
 * @module
 */
import { isCommit } from "../names/mod.ts";
import { appName, type At, below, integer, list, oneOf, record, schema, text } from "./_validate.ts";

/** The report schema version this code reads and writes. */
export const REPORT_SCHEMA = 1;
/** Most events in one batch. */
export const MAX_REPORT_EVENTS = 100;
/** Longest event message. */
export const MAX_REPORT_MESSAGE = 1000;

/** Install stages, in order. */
export const REPORT_STAGES = ["download", "verify", "install", "health", "rollback"] as const;
/** Results of a stage. */
export const REPORT_RESULTS = ["ok", "error", "rolled_back"] as const;

/** A stage of an install. */
export type ReportStage = typeof REPORT_STAGES[number];
/** The result of a stage. */
export type ReportResult = typeof REPORT_RESULTS[number];

/** One event. */
export interface ReportEvent {
  /** Unique per device: 8 to 64 characters `[A-Za-z0-9_-]` (a UUID fits). */
  id: string;
  app: string;
  commit: string;
  stage: ReportStage;
  result: ReportResult;
  errorCode?: string;
  message?: string;
  bytes?: number;
  durationMs?: number;
  /** ISO 8601 UTC, device clock. */
  at: string;
}

/** A batch of events. */
export interface ReportBatch {
  schema: 1;
  events: ReportEvent[];
  /**
   * Events the device's spool had to drop (full) since its last acknowledged batch; only sent
   * when above 0.
   */
  dropped?: number;
}

const EVENT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{7,63}$/;
const ERROR_CODE = /^E_[A-Z0-9_]{1,40}$/;
const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,3})?Z$/;

function timestamp(value: unknown, at: At): string {
  const s = text(value, at, {
    max: 32,
    pattern: ISO_UTC,
    hint: "an ISO 8601 UTC time (2026-01-01T00:00:00Z)",
  });
  const [, y, mo, d, h, mi, se] = ISO_UTC.exec(s)!.map(Number);
  const date = new Date(s);
  if (
    Number.isNaN(date.getTime()) || date.getUTCFullYear() !== y || date.getUTCMonth() + 1 !== mo ||
    date.getUTCDate() !== d || date.getUTCHours() !== h || date.getUTCMinutes() !== mi ||
    date.getUTCSeconds() !== se
  ) {
    throw new TypeError(`Cannot read ${at.doc}: ${at.path} is not a valid time`);
  }
  return s;
}

/**
 * Check one parsed event (the device's spool uses it too). `TypeError`/`RangeError` naming the
 * field; `where` names the document in messages.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseReportEvent } from "./report_events.ts";
 * const event = { id: "evt-00000001", app: "a/b", commit: "abcdef0", stage: "install", result: "ok", at: "2026-02-30T00:00:00Z" };
 * assert.throws(() => parseReportEvent(event), /not a valid time/);
 * ```
 */
export function parseReportEvent(
  value: unknown,
  where: At = { doc: "report event", path: "$" },
): ReportEvent {
  const e = record(value, where, {
    required: ["id", "app", "commit", "stage", "result", "at"],
    optional: ["errorCode", "message", "bytes", "durationMs"],
  });
  const event: ReportEvent = {
    id: text(e.id, below(where, "id"), {
      max: 64,
      pattern: EVENT_ID,
      hint: "8 to 64 characters [A-Za-z0-9_-]",
    }),
    app: appName(e.app, below(where, "app")),
    commit: text(e.commit, below(where, "commit"), {
      max: 64,
      valid: isCommit,
      hint: "7 to 64 lower-case hex digits",
    }),
    stage: oneOf(e.stage, below(where, "stage"), { choices: REPORT_STAGES }),
    result: oneOf(e.result, below(where, "result"), { choices: REPORT_RESULTS }),
    at: timestamp(e.at, below(where, "at")),
  };
  if (e.errorCode !== undefined) {
    event.errorCode = text(e.errorCode, below(where, "errorCode"), {
      max: 42,
      pattern: ERROR_CODE,
      hint: "E_ and A-Z0-9_",
    });
  }
  if (e.message !== undefined) {
    event.message = text(e.message, below(where, "message"), { max: MAX_REPORT_MESSAGE, multiline: true });
  }
  if (e.bytes !== undefined) event.bytes = integer(e.bytes, below(where, "bytes"));
  if (e.durationMs !== undefined) event.durationMs = integer(e.durationMs, below(where, "durationMs"));
  return event;
}

/**
 * Check a parsed report batch: schema, at most {@linkcode MAX_REPORT_EVENTS} events, each checked
 * by {@linkcode parseReportEvent}, and the optional `dropped` count (events the device's spool
 * dropped, a non-negative integer). Repeated ids are allowed (the store keeps the first).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseReportBatch } from "./report_events.ts";
 * assert.deepEqual(parseReportBatch({ schema: 1, events: [] }), { schema: 1, events: [] });
 * assert.throws(() => parseReportBatch({ schema: 1, events: new Array(101).fill(null) }), RangeError);
 * ```
 */
export function parseReportBatch(value: unknown): ReportBatch {
  const at: At = { doc: "report", path: "$" };
  const doc = record(value, at, { required: ["schema", "events"], optional: ["dropped"] });
  schema(doc.schema, below(at, "schema"), { known: REPORT_SCHEMA });
  const events = list(doc.events, below(at, "events"), { max: MAX_REPORT_EVENTS })
    .map((e, i) => parseReportEvent(e, below(below(at, "events"), i)));
  if (doc.dropped === undefined) return { schema: REPORT_SCHEMA, events };
  return { schema: REPORT_SCHEMA, events, dropped: integer(doc.dropped, below(at, "dropped")) };
}

/**
 * True when `event` is an install outcome (anything but an `ok` of `download` or `verify`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isOutcome } from "./report_events.ts";
 * assert.equal(isOutcome({ stage: "download", result: "ok" }), false);
 * assert.equal(isOutcome({ stage: "download", result: "error" }), true);
 * ```
 */
export function isOutcome(event: Pick<ReportEvent, "stage" | "result">): boolean {
  return !(event.result === "ok" && (event.stage === "download" || event.stage === "verify"));
}
