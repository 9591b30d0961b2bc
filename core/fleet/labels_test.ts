import assert from "node:assert/strict";
import { MAX_LABELS, parseLabel, parseLabels } from "./labels.ts";

Deno.test("parseLabels() sorts keys, allows empty values, refuses bad keys, values and counts", () => {
  assert.deepEqual(Object.keys(parseLabels({ b: "", a: "1", "x.y/z-w_v": "é ✓" })), ["a", "b", "x.y/z-w_v"]);
  assert.deepEqual(parseLabels({}), {});
  const many = Object.fromEntries(Array.from({ length: MAX_LABELS }, (_, i) => [`k${i}`, "v"]));
  assert.equal(Object.keys(parseLabels(many)).length, MAX_LABELS);
  assert.throws(() => parseLabels({ ...many, one: "more" }), RangeError);
  assert.throws(() => parseLabels({ ["k".repeat(64)]: "v" }), RangeError);
  assert.throws(() => parseLabels({ "a b": "v" }), TypeError);
  assert.throws(() => parseLabels({ a: "\n" }), /labels\.a holds control characters/);
  assert.throws(() => parseLabels(null), /^TypeError: Cannot read labels: labels must be an object/);
  assert.throws(() => parseLabels(["a"]), TypeError);
});

Deno.test("parseLabel() splits KEY=VALUE at the first '='", () => {
  assert.deepEqual(parseLabel("site=north"), { key: "site", value: "north" });
  assert.deepEqual(parseLabel("site="), { key: "site", value: "" });
  assert.deepEqual(parseLabel("a=b=c"), { key: "a", value: "b=c" });
  assert.throws(() => parseLabel("=north"), RangeError);
  assert.throws(() => parseLabel("si te=north"), TypeError);
  assert.throws(() => parseLabel("site"), /expected KEY=VALUE/);
  // deno-lint-ignore no-explicit-any
  assert.throws(() => parseLabel(5 as any), TypeError);
});
