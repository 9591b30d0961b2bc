import assert from "node:assert/strict";
import { fromHex, toHex } from "./hex.ts";
import { bytes } from "./_testing.ts";

Deno.test("toHex() gives lower-case hex and fromHex() reverses it for all byte values", () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  const hex = toHex(all);
  assert.equal(hex.length, 512);
  assert.equal(hex.slice(0, 8), "00010203");
  assert.equal(hex.slice(-4), "feff");
  assert.equal(hex, hex.toLowerCase());
  assert.deepEqual(fromHex(hex), all);
  const data = bytes(1000);
  assert.deepEqual(fromHex(toHex(data)), data);
});

Deno.test("fromHex() accepts upper case and the empty string", () => {
  assert.deepEqual(fromHex("ABcdEF"), new Uint8Array([0xab, 0xcd, 0xef]));
  assert.deepEqual(fromHex(""), new Uint8Array());
});

Deno.test("fromHex() rejects odd lengths and non-hex characters with SyntaxError", () => {
  assert.throws(() => fromHex("abc"), { name: "SyntaxError", message: /odd length 3/ });
  assert.throws(() => fromHex("0g"), { name: "SyntaxError", message: /offset 1/ });
  assert.throws(() => fromHex("zz00"), { name: "SyntaxError", message: /offset 0/ });
  assert.throws(() => fromHex(" 0"), SyntaxError);
});

Deno.test("toHex() and fromHex() reject wrong argument types with TypeError", () => {
  assert.throws(() => toHex([1, 2] as unknown as Uint8Array), TypeError);
  assert.throws(() => fromHex(12 as unknown as string), TypeError);
});
