import assert from "node:assert/strict";
import { parseRange } from "./_range.ts";

Deno.test("parseRange() reads first-last, open-ended and suffix ranges, clamped to the size", () => {
  assert.deepEqual(parseRange("bytes=0-9", 100), { offset: 0, length: 10 });
  assert.deepEqual(parseRange("bytes=90-", 100), { offset: 90, length: 10 });
  assert.deepEqual(parseRange("bytes=90-500", 100), { offset: 90, length: 10 });
  assert.deepEqual(parseRange("bytes=-10", 100), { offset: 90, length: 10 });
  assert.deepEqual(parseRange("bytes=-500", 100), { offset: 0, length: 100 });
  assert.deepEqual(parseRange(" Bytes = 5-5 ", 100), { offset: 5, length: 1 });
  assert.deepEqual(parseRange("bytes=0-99999999999999999999", 100), { offset: 0, length: 100 });
});

Deno.test("parseRange() ignores absent headers, other units and multiple ranges (whole body)", () => {
  assert.equal(parseRange(null, 100), undefined);
  assert.equal(parseRange("items=0-1", 100), undefined);
  assert.equal(parseRange("bytes=0-1,5-6", 100), undefined);
});

Deno.test("parseRange() calls malformed and out-of-bounds ranges unsatisfiable", () => {
  for (
    const header of ["bytes=100-", "bytes=5-2", "bytes=x-1", "bytes=-", "bytes=", "bytes=-0", "bytes=1-2-3"]
  ) {
    assert.equal(parseRange(header, 100), "unsatisfiable", header);
  }
  assert.equal(parseRange("bytes=0-0", 0), "unsatisfiable");
  assert.equal(parseRange("bytes=-1", 0), "unsatisfiable");
});
