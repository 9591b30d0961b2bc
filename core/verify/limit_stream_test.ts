import assert from "node:assert/strict";
import { IntegrityError } from "../errors.ts";
import { LimitStream } from "./limit_stream.ts";
import { bytes, collect, concat, streamOf } from "./_testing.ts";

Deno.test("LimitStream() passes exactly maxBytes", async () => {
  const data = bytes(10);
  const out = await collect(
    streamOf([data.subarray(0, 4), data.subarray(4)]).pipeThrough(new LimitStream(10)),
  );
  assert.deepEqual(concat(out), data);
});

Deno.test("LimitStream() errors with IntegrityError naming the stream on the first byte past the limit", async () => {
  const received: Uint8Array[] = [];
  const sink = new WritableStream<Uint8Array>({ write: (c) => void received.push(c) });
  const chunks = [bytes(4), bytes(6), bytes(1), bytes(5)];
  const piped = streamOf(chunks).pipeThrough(new LimitStream(10, { name: "timestamp.json" })).pipeTo(sink);
  await assert.rejects(piped, (err: unknown) => {
    assert.ok(err instanceof IntegrityError);
    assert.equal(err.code, "E_INTEGRITY");
    assert.equal(err.message, "Cannot read timestamp.json: more than 10 bytes");
    return true;
  });
  assert.equal(concat(received).length, 10, "the chunk holding byte 11 is not passed on");
});

Deno.test("LimitStream(0) accepts an empty stream and refuses one byte", async () => {
  assert.deepEqual(await collect(streamOf([]).pipeThrough(new LimitStream(0))), []);
  await assert.rejects(collect(streamOf([bytes(1)]).pipeThrough(new LimitStream(0))), IntegrityError);
});

Deno.test("LimitStream() rejects a bad maxBytes with RangeError", () => {
  for (const max of [-1, 1.5, NaN, Infinity, "10"]) {
    assert.throws(() => new LimitStream(max as number), RangeError);
  }
});
