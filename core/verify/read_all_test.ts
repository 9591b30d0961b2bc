import assert from "node:assert/strict";
import { readAll } from "./read_all.ts";

function chunks(...parts: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const p of parts) c.enqueue(enc.encode(p));
      c.close();
    },
  });
}

Deno.test("readAll() concatenates chunks up to exactly maxBytes", async () => {
  const bytes = await readAll(chunks("ab", "", "cd"), { maxBytes: 4 });
  assert.equal(new TextDecoder().decode(bytes), "abcd");
});

Deno.test("readAll() cancels the stream and throws past maxBytes, with the caller's error if given", async () => {
  let cancelled = false;
  const endless = new ReadableStream<Uint8Array>({
    pull: (c) => c.enqueue(new Uint8Array(1024)),
    cancel: () => void (cancelled = true),
  });
  await assert.rejects(readAll(endless, { maxBytes: 4096, name: "metadata" }), {
    name: "RangeError",
    message: "Cannot read metadata: more than 4096 bytes",
  });
  assert.ok(cancelled);
  class Big extends Error {}
  await assert.rejects(readAll(chunks("abc"), { maxBytes: 2, tooLarge: () => new Big() }), Big);
});
