import assert from "node:assert/strict";
import { formatRolloutSteps, parseRolloutSteps } from "./rollout_steps.ts";

Deno.test("parseRolloutSteps() reads PERCENT[@HOURSh] steps, the first at publication", () => {
  assert.deepEqual(parseRolloutSteps("5,25@24h,100@72h"), [
    { afterHours: 0, percent: 5 },
    { afterHours: 24, percent: 25 },
    { afterHours: 72, percent: 100 },
  ]);
  assert.deepEqual(parseRolloutSteps("100"), [{ afterHours: 0, percent: 100 }]);
  assert.deepEqual(parseRolloutSteps("10@0h, 50@2h"), [
    { afterHours: 0, percent: 10 },
    { afterHours: 2, percent: 50 },
  ], "an explicit @0h first step, spaces after commas");
  assert.deepEqual(parseRolloutSteps("1%,5%@12h"), [
    { afterHours: 0, percent: 1 },
    { afterHours: 12, percent: 5 },
  ], "the last step need not be 100; a % sign is allowed");
  assert.deepEqual(
    parseRolloutSteps("10,10@24h,100@48h").map((s) => s.percent),
    [10, 10, 100],
    "equal is fine",
  );
});

Deno.test("parseRolloutSteps() refuses malformed specs with SyntaxError naming the step", () => {
  const cases: [string, RegExp][] = [
    ["", /no steps/],
    ["  ", /no steps/],
    ["5,", /step 2 '' is not PERCENT\[@HOURSh\]/],
    ["5,,100@1h", /step 2 ''/],
    ["five", /step 1 'five'/],
    ["5,25@24", /step 2 '25@24'/],
    ["5,25@24d", /step 2 '25@24d'/],
    ["-5", /step 1 '-5'/],
    ["5,25@-1h", /step 2/],
    ["1e2", /step 1 '1e2'/],
    ["5,25", /step 2 '25' needs @HOURSh/],
  ];
  for (const [spec, message] of cases) {
    assert.throws(
      () => parseRolloutSteps(spec),
      (e) => e instanceof SyntaxError && message.test(e.message),
      spec,
    );
  }
  assert.throws(() => parseRolloutSteps(5 as unknown as string), TypeError);
});

Deno.test("parseRolloutSteps() refuses steps out of range or order with RangeError", () => {
  const cases: [string, RegExp][] = [
    ["0", /step 1 percent 0 is not in \(0, 100\]/],
    ["5,100.5@1h", /step 2 percent 100.5 is not in \(0, 100\]/],
    ["5@2h,100@3h", /step 1 is at 2h; the first step starts at publication/],
    ["5,25@24h,50@24h", /step 3 at 24h is not after step 2 at 24h \(hours strictly increase\)/],
    ["5,25@24h,50@12h", /step 3 at 12h is not after step 2/],
    ["25,5@24h", /step 2 percent 5 is below step 1's 25 \(percents never decrease\)/],
    ["5,100@8761h", /step 2 at 8761h is not in \[0, 8760\] hours/],
    // the signed metadata's canonical JSON has no fractions: refused here, not at signing
    ["5,50@1.5h", /step 2 at 1.5h is not a whole number of hours/],
    ["2.5,100@24h", /step 1 percent 2.5 is not a whole number/],
    ["5,50.5@1h", /step 2 percent 50.5 is not a whole number/],
    ["0.5", /step 1 percent 0.5 is not a whole number/],
    [
      Array.from({ length: 21 }, (_, i) => (i === 0 ? "1" : `${i + 1}@${i}h`)).join(","),
      /21 steps, at most 20/,
    ],
  ];
  for (const [spec, message] of cases) {
    assert.throws(
      () => parseRolloutSteps(spec),
      (e) => e instanceof RangeError && message.test(e.message),
      spec,
    );
  }
  assert.throws(() => parseRolloutSteps("0"), /^RangeError: Cannot parse rollout steps '0': /);
});

Deno.test("formatRolloutSteps() writes the spec parseRolloutSteps() reads back, and checks the steps", () => {
  for (const spec of ["5,25@24h,100@72h", "100", "1,10@2h"]) {
    assert.equal(formatRolloutSteps(parseRolloutSteps(spec)), spec);
  }
  assert.throws(() => formatRolloutSteps([]), RangeError);
  assert.throws(() => formatRolloutSteps([{ afterHours: 0, percent: 0.5 }]), /not a whole number/);
  assert.throws(
    () => formatRolloutSteps([{ afterHours: 1, percent: 5 }]),
    /first step starts at publication/,
  );
});
