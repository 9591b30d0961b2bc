import assert from "node:assert/strict";
import { createRollout, parseRollout, type Rollout } from "./rollout.ts";

const GOOD = {
  id: "acme:radio:main:7:0123abc",
  publishedAt: "2026-03-01T12:00:00Z",
  steps: [{ afterHours: 0, percent: 5 }, { afterHours: 24, percent: 25 }, { afterHours: 72, percent: 100 }],
  halt: { minDevices: 5, maxFailurePercent: 20 },
};

Deno.test("parseRollout() returns a frozen copy of a well-formed rollout", () => {
  const input = structuredClone(GOOD);
  const r = parseRollout(input);
  assert.deepEqual(r, GOOD);
  assert.ok(
    Object.isFrozen(r) && Object.isFrozen(r.steps) && Object.isFrozen(r.steps[0]) && Object.isFrozen(r.halt),
  );
  input.steps[0]!.percent = 100;
  assert.equal(r.steps[0]?.percent, 5, "a copy, not the input");
  assert.equal(
    parseRollout({ ...GOOD, publishedAt: "2026-03-01T12:00:00.125Z" }).publishedAt,
    "2026-03-01T12:00:00.125Z",
  );
  assert.equal(
    parseRollout({ ...GOOD, id: "x".repeat(512) }).id.length,
    512,
    "room for owner/app/ref/serial-commit",
  );
  assert.equal(parseRollout({ ...GOOD, id: "3f1c-9b2e_uuid" }).id, "3f1c-9b2e_uuid");
  assert.equal(parseRollout({ ...GOOD, halt: { minDevices: 1, maxFailurePercent: 0 } }).halt.minDevices, 1);
  assert.equal(
    parseRollout({ ...GOOD, halt: { minDevices: 1, maxFailurePercent: 100 } }).halt.maxFailurePercent,
    100,
  );
});

Deno.test("parseRollout() refuses any malformed field, naming it, instead of guessing", () => {
  const cases: [unknown, ErrorConstructor, RegExp][] = [
    [null, TypeError, /rollout must be an object/],
    [[GOOD], TypeError, /rollout must be an object/],
    [{ ...GOOD, extra: true }, TypeError, /rollout has an unknown field 'extra'/],
    [{ ...GOOD, id: undefined }, TypeError, /id must be/],
    [{ ...GOOD, id: "" }, TypeError, /id must be/],
    [{ ...GOOD, id: "a b" }, TypeError, /id must be/],
    [{ ...GOOD, id: "acme/radio" }, TypeError, /id must be/],
    [{ ...GOOD, id: "a\nb" }, TypeError, /id must be/],
    [{ ...GOOD, id: "x".repeat(513) }, TypeError, /id must be/],
    [{ id: GOOD.id, publishedAt: GOOD.publishedAt, steps: GOOD.steps }, TypeError, /rollout lacks 'halt'/],
    [{ ...GOOD, publishedAt: "2026-03-01" }, TypeError, /publishedAt must be an ISO 8601 UTC time/],
    [{ ...GOOD, publishedAt: "2026-03-01T12:00:00+01:00" }, TypeError, /publishedAt/],
    [{ ...GOOD, publishedAt: "2026-02-30T12:00:00Z" }, TypeError, /publishedAt/],
    [{ ...GOOD, publishedAt: 1772366400000 }, TypeError, /publishedAt/],
    [{ ...GOOD, steps: {} }, TypeError, /steps must be an array/],
    [{ ...GOOD, steps: [] }, RangeError, /no steps/],
    [{ ...GOOD, steps: Array(21).fill({ afterHours: 0, percent: 1 }) }, RangeError, /21 steps, at most 20/],
    [{ ...GOOD, steps: [5] }, TypeError, /steps\[0\] must be an object/],
    [{ ...GOOD, steps: [{ afterHours: 0 }] }, TypeError, /steps\[0\] lacks 'percent'/],
    [
      { ...GOOD, steps: [{ afterHours: 0, percent: 5, labels: {} }] },
      TypeError,
      /steps\[0\] has an unknown field 'labels'/,
    ],
    [
      { ...GOOD, steps: [{ afterHours: 0, percent: "5" }] },
      TypeError,
      /steps\[0\]\.percent must be a finite number/,
    ],
    [{ ...GOOD, steps: [{ afterHours: null, percent: 5 }] }, TypeError, /steps\[0\]\.afterHours/],
    [
      { ...GOOD, steps: [{ afterHours: 0, percent: 0 }] },
      RangeError,
      /step 1 percent 0 is not in \(0, 100\]/,
    ],
    [{ ...GOOD, steps: [{ afterHours: 0, percent: 101 }] }, RangeError, /percent 101/],
    [{ ...GOOD, steps: [{ afterHours: 1, percent: 5 }] }, RangeError, /first step starts at publication/],
    [{ ...GOOD, steps: [GOOD.steps[1], GOOD.steps[0]] }, RangeError, /first step starts at publication/],
    [
      { ...GOOD, steps: [GOOD.steps[0], GOOD.steps[2], GOOD.steps[1]] },
      RangeError,
      /hours strictly increase/,
    ],
    [
      { ...GOOD, steps: [{ afterHours: 0, percent: 50 }, { afterHours: 1, percent: 5 }] },
      RangeError,
      /never decrease/,
    ],
    [{ ...GOOD, halt: { minDevices: 5 } }, TypeError, /halt lacks 'maxFailurePercent'/],
    [{ ...GOOD, halt: { minDevices: 0, maxFailurePercent: 20 } }, RangeError, /halt.minDevices 0/],
    [{ ...GOOD, halt: { minDevices: 2.5, maxFailurePercent: 20 } }, RangeError, /halt.minDevices 2.5/],
    [{ ...GOOD, halt: { minDevices: 5, maxFailurePercent: -1 } }, RangeError, /halt.maxFailurePercent -1/],
    [
      { ...GOOD, halt: { minDevices: 5, maxFailurePercent: 100.5 } },
      RangeError,
      /halt.maxFailurePercent 100.5/,
    ],
    [
      { ...GOOD, halt: { minDevices: 5, maxFailurePercent: 12.5 } },
      RangeError,
      /halt.maxFailurePercent 12.5 is not a whole number in \[0, 100\]/,
    ],
    [
      { ...GOOD, steps: [{ afterHours: 0, percent: 5 }, { afterHours: 1.5, percent: 50 }] },
      RangeError,
      /step 2 at 1.5h is not a whole number of hours/,
    ],
    [
      { ...GOOD, halt: { minDevices: 5, maxFailurePercent: 20, after: 1 } },
      TypeError,
      /halt has an unknown field/,
    ],
  ];
  for (const [value, type, message] of cases) {
    assert.throws(
      () => parseRollout(value),
      (e) => e instanceof type && e.message.startsWith("Cannot read rollout: ") && message.test(e.message),
      JSON.stringify(value)?.slice(0, 120),
    );
  }
});

Deno.test("createRollout() parses a spec, writes publishedAt to the second and fills the halt rule's defaults", () => {
  const r: Rollout = createRollout({
    id: GOOD.id,
    publishedAt: new Date("2026-03-01T12:00:00.999Z"),
    steps: "5,25@24h,100@72h",
  });
  assert.deepEqual(r, GOOD);
  const halted = createRollout({
    id: "r1",
    publishedAt: new Date(),
    steps: GOOD.steps,
    halt: { maxFailurePercent: 5 },
  });
  assert.deepEqual(halted.halt, { minDevices: 5, maxFailurePercent: 5 });
  const unset = createRollout({
    id: "r1",
    publishedAt: new Date(),
    steps: "5",
    halt: { minDevices: undefined },
  });
  assert.deepEqual(unset.halt, { minDevices: 5, maxFailurePercent: 20 }, "undefined means the default");
  assert.throws(() => createRollout({ id: "r1", publishedAt: new Date(NaN), steps: "5" }), TypeError);
  assert.throws(() => createRollout({ id: "r1", publishedAt: new Date(), steps: "5,x" }), SyntaxError);
  assert.throws(
    () => createRollout({ id: "r1", publishedAt: new Date(), steps: "5", halt: { minDevices: 0 } }),
    RangeError,
  );
  assert.throws(() => createRollout({ id: "r 1", publishedAt: new Date(), steps: "5" }), TypeError);
});
