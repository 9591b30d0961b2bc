import assert from "node:assert/strict";
import { parseDictionary, serializeBareItem, serializeMember } from "./_structured_fields.ts";

Deno.test("parseDictionary() parses items, inner lists and parameters of every bare type", () => {
  const dict = parseDictionary(
    'a=1, b=-2.5;x, c="s\\"q\\\\", d=tok/en:x, e=:AQID:, f=?0, g, h=("x";p=1 y);q=?1, i=()',
  );
  assert.deepEqual([...dict.keys()], ["a", "b", "c", "d", "e", "f", "g", "h", "i"]);
  assert.deepEqual(dict.get("a"), { kind: "item", value: { type: "integer", value: 1 }, params: new Map() });
  assert.deepEqual(dict.get("b")?.params, new Map([["x", { type: "boolean", value: true }]]));
  assert.deepEqual(dict.get("c"), {
    kind: "item",
    value: { type: "string", value: 's"q\\' },
    params: new Map(),
  });
  assert.deepEqual(dict.get("d")?.kind === "item" && dict.get("d"), {
    kind: "item",
    value: { type: "token", value: "tok/en:x" },
    params: new Map(),
  });
  const e = dict.get("e");
  assert.ok(e?.kind === "item" && e.value.type === "bytes");
  assert.deepEqual([...(e.value.value as Uint8Array)], [1, 2, 3]);
  assert.deepEqual(dict.get("g"), {
    kind: "item",
    value: { type: "boolean", value: true },
    params: new Map(),
  });
  const h = dict.get("h");
  assert.ok(h?.kind === "list");
  assert.equal(h.items.length, 2);
  assert.equal(serializeMember(h), '("x";p=1 y);q');
  assert.equal(serializeMember(dict.get("i")!), "()");
  assert.equal(serializeMember(dict.get("c")!), '"s\\"q\\\\"');
  assert.equal(serializeMember(dict.get("b")!), "-2.5;x");
  assert.equal(parseDictionary("").size, 0);
  assert.equal(
    parseDictionary("a=1, a=2").get("a")?.kind === "item" &&
      serializeMember(parseDictionary("a=1, a=2").get("a")!),
    "2",
  );
});

Deno.test("parseDictionary() refuses malformed input with SyntaxError", () => {
  for (
    const bad of [
      "A=1",
      "a=1,",
      "a=1 b=2",
      'a="unterminated',
      'a="bad\\escape"',
      'a="tab\there"',
      "a=:not base64:",
      "a=:AQI:",
      "a=?2",
      "a=1234567890123456",
      "a=1.2345",
      "a=(1 2",
      "a=(1,2)",
      "a=@",
      "a=1;B=2",
    ]
  ) {
    assert.throws(() => parseDictionary(bad), SyntaxError, bad);
  }
});

Deno.test("serializeBareItem() is canonical and refuses what a type cannot hold", () => {
  assert.equal(serializeBareItem({ type: "decimal", value: 1 }), "1.0");
  assert.equal(serializeBareItem({ type: "decimal", value: 1.25 }), "1.25");
  assert.equal(serializeBareItem({ type: "decimal", value: -0.5 }), "-0.5");
  assert.equal(serializeBareItem({ type: "boolean", value: false }), "?0");
  assert.equal(serializeBareItem({ type: "bytes", value: new Uint8Array([255]) }), ":/w==:");
  assert.throws(() => serializeBareItem({ type: "integer", value: 1e16 }), TypeError);
  assert.throws(() => serializeBareItem({ type: "string", value: "é" }), TypeError);
  assert.throws(() => serializeBareItem({ type: "token", value: "1abc" }), TypeError);
  assert.throws(() => serializeBareItem({ type: "decimal", value: Infinity }), TypeError);
});

Deno.test("parseDictionary() reads strings with and without escapes, at any position", () => {
  const dict = parseDictionary('a="plain", b=("x" "y\\"z");k="v\\\\w", c="", d=:/w==:');
  assert.equal(serializeMember(dict.get("a")!), '"plain"');
  assert.equal(serializeMember(dict.get("b")!), '("x" "y\\"z");k="v\\\\w"');
  assert.equal(serializeMember(dict.get("c")!), '""');
  assert.equal(serializeMember(dict.get("d")!), ":/w==:");
  assert.throws(() => parseDictionary("d=:/x==:"), SyntaxError, "non-canonical base64");
  assert.throws(() => parseDictionary('a="\u00e9"'), SyntaxError);
});
