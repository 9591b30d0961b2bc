import assert from "node:assert/strict";
import { type HaltCounts, haltVerdict } from "./halt_verdict.ts";

const RULE = { minDevices: 5, maxFailurePercent: 20 };
const counts = (c: Partial<HaltCounts>): HaltCounts => ({
  succeeded: 0,
  failed: 0,
  rolledBack: 0,
  timedOut: 0,
  ...c,
});

Deno.test("haltVerdict() waits until minDevices have finished, whatever their outcome", () => {
  const v = haltVerdict(RULE, counts({ failed: 2, rolledBack: 1, timedOut: 1, inProgress: 50 }));
  assert.deepEqual(v, {
    halt: false,
    finished: 4,
    bad: 4,
    failurePercent: 100,
    reason: "keep going: 4 of the 5 devices needed have finished (4 failed, rolled back or went silent)",
  });
  assert.equal(haltVerdict(RULE, counts({ failed: 5 })).halt, true, "at minDevices it counts");
  assert.equal(haltVerdict(RULE, counts({})).failurePercent, 0);
});

Deno.test("haltVerdict() halts only when more than maxFailurePercent failed, rolled back or went silent", () => {
  const atLimit = haltVerdict(RULE, counts({ succeeded: 8, failed: 1, timedOut: 1, inProgress: 3 }));
  assert.deepEqual([atLimit.halt, atLimit.finished, atLimit.bad, atLimit.failurePercent], [false, 10, 2, 20]);
  assert.equal(
    atLimit.reason,
    "keep going: 2 of 10 finished devices failed, rolled back or went silent (20%), at most 20% allowed",
  );
  for (
    const bad of [{ failed: 3 }, { rolledBack: 3 }, { timedOut: 3 }, {
      failed: 1,
      rolledBack: 1,
      timedOut: 1,
    }]
  ) {
    const v = haltVerdict(RULE, counts({ succeeded: 8, ...bad }));
    assert.equal(v.halt, true, JSON.stringify(bad));
    assert.equal(
      v.reason,
      "halt: 3 of 11 finished devices failed, rolled back or went silent (27.3%), more than the 20% allowed",
    );
  }
  assert.equal(haltVerdict(RULE, counts({ succeeded: 100, inProgress: 1000 })).halt, false);
});

Deno.test("haltVerdict() at the rule's edges: 0% halts on any failure, 100% never halts, 1 device suffices", () => {
  assert.equal(
    haltVerdict({ minDevices: 1, maxFailurePercent: 0 }, counts({ succeeded: 999, failed: 1 })).halt,
    true,
  );
  assert.equal(haltVerdict({ minDevices: 1, maxFailurePercent: 0 }, counts({ succeeded: 1 })).halt, false);
  assert.equal(haltVerdict({ minDevices: 1, maxFailurePercent: 100 }, counts({ failed: 10 })).halt, false);
  assert.equal(
    haltVerdict({ minDevices: 3, maxFailurePercent: 33.33 }, counts({ succeeded: 2, failed: 1 })).halt,
    true,
  );
  assert.equal(
    haltVerdict({ minDevices: 2, maxFailurePercent: 50 }, counts({ succeeded: 1, failed: 1 })).halt,
    false,
  );
});

Deno.test("haltVerdict() refuses counts that are not whole numbers >= 0 and rules out of range", () => {
  assert.throws(
    () => haltVerdict(RULE, counts({ failed: -1 })),
    /counts.failed -1 is not a whole number >= 0/,
  );
  assert.throws(() => haltVerdict(RULE, counts({ succeeded: 1.5 })), RangeError);
  assert.throws(() => haltVerdict(RULE, counts({ inProgress: -1 })), RangeError);
  assert.throws(() => haltVerdict(RULE, { succeeded: 1 } as HaltCounts), /counts.failed must be a number/);
  assert.throws(() => haltVerdict({ minDevices: 0, maxFailurePercent: 20 }, counts({})), RangeError);
  assert.throws(() => haltVerdict({ minDevices: 5, maxFailurePercent: 101 }, counts({})), RangeError);
});
