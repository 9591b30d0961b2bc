import assert from "node:assert/strict";
import { DEFAULT_RECHUNK_SIZE, RechunkStream } from "./rechunk_stream.ts";
import { bytes, collect, concat, split, streamOf } from "./_testing.ts";

const SHAPES: [string, number[], number][] = [
  ["many small chunks", [7, 13, 1], 64],
  ["chunks of exactly the size", [64], 64],
  ["chunks bigger than the size", [100, 3, 250], 64],
  ["a size of 1", [5, 2], 1],
  ["one huge chunk", [10_000], 64],
];

for (const [what, sizes, size] of SHAPES) {
  Deno.test(`RechunkStream(${size}) on ${what}: same bytes, every chunk but the last >= size`, async () => {
    const data = bytes(3001);
    const out = await collect(streamOf(split(data, sizes)).pipeThrough(new RechunkStream(size)));
    assert.deepEqual(concat(out), data);
    for (const chunk of out.slice(0, -1)) assert.ok(chunk.length >= size, `${chunk.length} < ${size}`);
    assert.ok(out.at(-1)!.length > 0);
  });
}

Deno.test("RechunkStream() coalesces 64 KiB chunks into 1 MiB chunks by default", async () => {
  assert.equal(DEFAULT_RECHUNK_SIZE, 1024 * 1024);
  const data = bytes(3 * 1024 * 1024 + 5);
  const out = await collect(streamOf(split(data, [65536])).pipeThrough(new RechunkStream()));
  assert.deepEqual(out.map((c) => c.length), [1048576, 1048576, 1048576, 5]);
  assert.deepEqual(concat(out), data);
});

Deno.test("RechunkStream() passes a big chunk through without copying when nothing is buffered", async () => {
  const big = bytes(200);
  const out = await collect(streamOf([big]).pipeThrough(new RechunkStream(64)));
  assert.equal(out.length, 1);
  assert.equal(out[0], big);
});

Deno.test("RechunkStream() emits nothing for an empty stream and skips empty chunks", async () => {
  assert.deepEqual(await collect(streamOf([]).pipeThrough(new RechunkStream(8))), []);
  const out = await collect(
    streamOf([new Uint8Array(), bytes(3), new Uint8Array()]).pipeThrough(new RechunkStream(8)),
  );
  assert.deepEqual(out, [bytes(3)]);
});

Deno.test("RechunkStream() passes data on before its input ends (no whole-stream buffering)", async () => {
  let input!: ReadableStreamDefaultController<Uint8Array>;
  const source = new ReadableStream<Uint8Array>({ start: (c) => void (input = c) });
  const reader = source.pipeThrough(new RechunkStream(4)).getReader();
  input.enqueue(bytes(3));
  input.enqueue(bytes(3, 2));
  const first = await reader.read();
  assert.equal(first.value?.length, 4);
  input.close();
  assert.equal((await reader.read()).value?.length, 2);
  assert.ok((await reader.read()).done);
});

Deno.test("RechunkStream() rejects bad sizes with RangeError and bad chunks with TypeError", async () => {
  for (const size of [0, -1, 1.5, NaN]) assert.throws(() => new RechunkStream(size), RangeError);
  const bad = streamOf(["abc" as unknown as Uint8Array]).pipeThrough(new RechunkStream(4));
  await assert.rejects(collect(bad), TypeError);
});
