import assert from "node:assert/strict";
import {
  isOutcome,
  MAX_REPORT_EVENTS,
  parseReportBatch,
  parseReportEvent,
  type ReportEvent,
} from "./report_events.ts";

const event = (extra: Record<string, unknown> = {}) => ({
  id: "6f1c1e9e-1d2f-4c1b-9d7a-0c1e2f3a4b5c",
  app: "acme/radio",
  commit: "68200ec",
  stage: "install",
  result: "ok",
  at: "2026-01-01T00:00:00.123Z",
  ...extra,
});

Deno.test("parseReportBatch() accepts every stage/result and the optional fields, and keeps order", () => {
  const events = [
    event({ id: "evt-0001-a", stage: "download", bytes: 1024, durationMs: 30 }),
    event({
      id: "evt-0002-b",
      stage: "verify",
      result: "error",
      errorCode: "E_INTEGRITY",
      message: "sha256\nmismatch\t!",
    }),
    event({ id: "evt-0003-c", stage: "health", result: "rolled_back", at: "2026-12-31T23:59:59Z" }),
    event({ id: "evt-0004-d", stage: "rollback", result: "ok", bytes: 0 }),
  ];
  const batch = parseReportBatch({ schema: 1, events });
  assert.deepEqual(batch, { schema: 1, events });
  const copy: ReportEvent = batch.events[0]!;
  assert.notEqual(copy, events[0]);
  assert.deepEqual(batch.events.map(isOutcome), [false, true, true, true]);
  assert.equal(parseReportBatch({ schema: 1, events: [event(), event()] }).events.length, 2);
});

Deno.test("parseReportBatch() refuses bad events strictly, naming the field", () => {
  const cases: [Record<string, unknown>, RegExp, ErrorConstructor][] = [
    [{ id: "short" }, /events\[0\]\.id must be 1 to 64|events\[0\]\.id must be 8 to 64/, TypeError],
    [{ id: "x".repeat(65) }, /events\[0\]\.id/, RangeError],
    [{ id: "bad id with spaces" }, /events\[0\]\.id/, TypeError],
    [{ app: "radio" }, /events\[0\]\.app must be OWNER\/APP/, TypeError],
    [{ commit: "xyz" }, /events\[0\]\.commit/, TypeError],
    [
      { stage: "deploy" },
      /events\[0\]\.stage must be one of download, verify, install, health, rollback/,
      TypeError,
    ],
    [{ result: "failed" }, /events\[0\]\.result must be one of ok, error, rolled_back/, TypeError],
    [{ errorCode: "boom" }, /events\[0\]\.errorCode/, TypeError],
    [{ message: "x".repeat(1001) }, /events\[0\]\.message must be 1 to 1000/, RangeError],
    [{ message: "bell\u0007" }, /events\[0\]\.message holds control characters/, TypeError],
    [{ bytes: -1 }, /events\[0\]\.bytes/, RangeError],
    [{ bytes: "1" }, /events\[0\]\.bytes must be an integer/, TypeError],
    [{ durationMs: 0.5 }, /events\[0\]\.durationMs must be an integer/, TypeError],
    [{ at: "2026-01-01 00:00:00Z" }, /events\[0\]\.at must be an ISO 8601 UTC time/, TypeError],
    [{ at: "2026-01-01T00:00:00+01:00" }, /events\[0\]\.at/, TypeError],
    [{ at: "2026-02-30T00:00:00Z" }, /events\[0\]\.at is not a valid time/, TypeError],
    [{ at: "2026-01-01T24:00:00Z" }, /events\[0\]\.at is not a valid time/, TypeError],
    [{ at: 1767225600000 }, /events\[0\]\.at must be a string/, TypeError],
    [{ extra: 1 }, /events\[0\] has an unknown field 'extra'/, TypeError],
  ];
  for (const [patch, pattern, Kind] of cases) {
    assert.throws(() => parseReportBatch({ schema: 1, events: [event(patch)] }), (e: unknown) => {
      assert.ok(e instanceof Kind, `${JSON.stringify(patch).slice(0, 60)}: ${e}`);
      assert.match((e as Error).message, /^Cannot read report: /);
      assert.match((e as Error).message, pattern);
      return true;
    });
  }
  assert.throws(() => parseReportBatch({ schema: 3, events: [] }), RangeError);
  assert.throws(() => parseReportBatch({ events: [] }), /lacks 'schema'/);
  assert.throws(() => parseReportBatch({ schema: 1, events: {} }), /events must be an array/);
  assert.throws(
    () =>
      parseReportBatch({ schema: 1, events: Array.from({ length: MAX_REPORT_EVENTS + 1 }, () => event()) }),
    RangeError,
  );
  const { at: _, ...noAt } = event();
  assert.throws(() => parseReportEvent(noAt), /^TypeError: Cannot read report event: \$ lacks 'at'/);
});

Deno.test("parseReportBatch() carries the spool's optional dropped count, a non-negative integer", () => {
  assert.deepEqual(parseReportBatch({ schema: 1, events: [], dropped: 3 }), {
    schema: 1,
    events: [],
    dropped: 3,
  });
  assert.equal("dropped" in parseReportBatch({ schema: 1, events: [] }), false);
  assert.throws(() => parseReportBatch({ schema: 1, events: [], dropped: -1 }), /\$\.dropped/);
  assert.throws(() => parseReportBatch({ schema: 1, events: [], dropped: "2" }), TypeError);
});
