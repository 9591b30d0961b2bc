import assert from "node:assert/strict";
import { MAX_ROLLOUT_HOLDS, parseRolloutHolds } from "./rollout_hold.ts";

Deno.test("parseRolloutHolds() reads caps and states by rollout id, with defaults, ignoring other fields", () => {
  const holds = parseRolloutHolds({
    "acme:radio:main:7:0123abc": { cap: 0, state: "halted" },
    "acme:radio:main:8:4567def": { cap: 12.5, state: "paused", since: "2026-03-01T00:00:00Z" },
    r3: { cap: 100 },
    r4: { cap: null, state: "done" },
    r5: {},
    r6: { cap: 0, state: "ended" },
  });
  assert.deepEqual({ ...holds }, {
    "acme:radio:main:7:0123abc": { cap: 0, state: "halted" },
    "acme:radio:main:8:4567def": { cap: 12.5, state: "paused" },
    r3: { cap: 100, state: "running" },
    r4: { cap: null, state: "done" },
    r5: { cap: null, state: "running" },
    r6: { cap: 0, state: "ended" },
  });
  assert.equal(Object.getPrototypeOf(holds), null);
  assert.equal(parseRolloutHolds({ constructor: { cap: 5 } })["constructor"]?.cap, 5);
  assert.deepEqual({ ...parseRolloutHolds({}) }, {});
});

Deno.test("parseRolloutHolds() refuses a malformed answer from the edge", () => {
  const cases: [unknown, ErrorConstructor, RegExp][] = [
    [null, TypeError, /rollouts must be an object/],
    [[], TypeError, /rollouts must be an object/],
    [{ "bad id": { cap: 1 } }, TypeError, /rollouts\['bad id'\] is not a rollout id/],
    [JSON.parse('{"__proto__": {"cap": 5}}'), TypeError, /rollouts\['__proto__'\] is not a rollout id/],
    [{ r1: 5 }, TypeError, /rollouts\['r1'\] must be an object/],
    [{ r1: { cap: "5" } }, TypeError, /rollouts\['r1'\]\.cap must be a number or null/],
    [{ r1: { cap: -1 } }, RangeError, /cap -1 is not in \[0, 100\]/],
    [{ r1: { cap: 101 } }, RangeError, /cap 101/],
    [{ r1: { cap: NaN } }, RangeError, /cap NaN/],
    [
      { r1: { cap: 5, state: "withdrawn" } },
      TypeError,
      /state must be one of running, paused, halted, ended, done/,
    ],
    [
      Object.fromEntries(Array.from({ length: MAX_ROLLOUT_HOLDS + 1 }, (_, i) => [`r${i}`, { cap: 1 }])),
      RangeError,
      /at most 1000/,
    ],
  ];
  for (const [value, type, message] of cases) {
    assert.throws(
      () => parseRolloutHolds(value),
      (e) => e instanceof type && message.test(e.message),
      String(message),
    );
  }
});
