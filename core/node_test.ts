import assert from "node:assert/strict";
import { randomFillSync } from "node:crypto";
import { gzipSync } from "node:zlib";
import { NodeGunzipStream } from "./node.ts";

function chunked(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.subarray(at, at + size));
      at += size;
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of stream) out.push(c);
  return out;
}

const plain = randomFillSync(new Uint8Array(1_000_000));
const gz = gzipSync(plain, { level: 1 });

Deno.test("NodeGunzipStream inflates multi-member gzip in few chunks of up to chunkSize", async () => {
  const two = new Uint8Array([...gz, ...gzipSync(new TextEncoder().encode("tail"))]);
  const chunks = await collect(
    chunked(two, 32 * 1024).pipeThrough(new NodeGunzipStream({ chunkSize: 300_000 })),
  );
  const joined = new Uint8Array(await new Blob(chunks as Uint8Array<ArrayBuffer>[]).arrayBuffer());
  assert.equal(joined.length, plain.length + 4);
  assert.deepEqual(joined.subarray(0, plain.length), plain);
  assert.equal(new TextDecoder().decode(joined.subarray(plain.length)), "tail");
  const sizes = chunks.map((c) => c.length).join();
  assert.ok(chunks.every((c) => c.length <= 300_000), sizes);
  assert.ok(chunks.length <= Math.ceil(joined.length / 300_000) + 2, sizes); // not 32 KiB per input write
});

for (
  const [what, at] of [
    ["a corrupt header", 3],
    ["a corrupt body", gz.length >> 1],
    ["a bad CRC in the trailer", gz.length - 6],
  ] as const
) {
  Deno.test(`NodeGunzipStream rejects ${what} instead of waiting forever`, async () => {
    const bad = gz.slice();
    bad[at]! ^= 0xff;
    await assert.rejects(collect(chunked(bad, 32 * 1024).pipeThrough(new NodeGunzipStream())));
  });
}

Deno.test("NodeGunzipStream rejects a truncated stream and a bad chunkSize", async () => {
  await assert.rejects(
    collect(chunked(gz.subarray(0, gz.length - 100), 65_536).pipeThrough(new NodeGunzipStream())),
  );
  assert.throws(() => new NodeGunzipStream({ chunkSize: 0 }), RangeError);
});

Deno.test("NodeGunzipStream holds a gzip bomb's output back until its reader takes it", async () => {
  const size = 64 * 1024 * 1024;
  const bomb = gzipSync(new Uint8Array(size), { level: 9 }); // ~64 KiB that inflate to 64 MiB
  const gunzip = new NodeGunzipStream({ chunkSize: 256 * 1024 });
  const writer = gunzip.writable.getWriter();
  const reader = gunzip.readable.getReader();
  let written = false;
  const writing = writer.write(bomb).then(() => (written = true));
  const first = await reader.read();
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(written, false, "zlib went on inflating with nobody reading");
  assert.ok(first.value!.length <= 256 * 1024);
  let total = first.value!.length;
  const closing = writing.then(() => writer.close());
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    assert.ok(value.length <= 256 * 1024);
    total += value.length;
  }
  await closing;
  assert.equal(total, size);
});
