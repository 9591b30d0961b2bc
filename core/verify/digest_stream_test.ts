import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { type Abilities, type HashAlgorithm, setAbilities, webAbilities } from "../abilities.ts";
import { nodeAbilities } from "../node.ts";
import { DigestStream } from "./digest_stream.ts";
import { bytes, collect, concat, split, streamOf } from "./_testing.ts";

const BACKENDS = [webAbilities, nodeAbilities] as const;
const ABC: Record<HashAlgorithm, string> = {
  sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  sha1: "a9993e364706816aba3e25717850c26c9cd0d89d",
  sha384: "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed" +
    "8086072ba1e7cc2358baeca134c825a7",
  sha512: "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a" +
    "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
};
const ALGORITHMS = Object.keys(ABC) as HashAlgorithm[];

for (const backend of BACKENDS) {
  for (const algorithm of ALGORITHMS) {
    Deno.test(`DigestStream('${algorithm}') with ${backend.name} hashes 'abc' split in chunks`, async () => {
      const abc = new TextEncoder().encode("abc");
      const digest = new DigestStream(algorithm, { hasher: backend.createHasher(algorithm) });
      const out = await collect(
        streamOf([abc.subarray(0, 1), new Uint8Array(), abc.subarray(1)]).pipeThrough(digest),
      );
      assert.equal(await digest.digest, ABC[algorithm]);
      assert.equal(digest.bytes, 3);
      assert.deepEqual(concat(out), abc);
    });

    Deno.test(`DigestStream('${algorithm}') with ${backend.name} matches node:crypto on 3 MiB in odd chunks`, async () => {
      const data = bytes(3 * 1024 * 1024 + 17, 7);
      const digest = new DigestStream(algorithm, { hasher: backend.createHasher(algorithm) });
      const chunks = split(data, [1, 65536, 1000003, 333]);
      const out = await collect(streamOf(chunks).pipeThrough(digest));
      assert.equal(await digest.digest, createHash(algorithm).update(data).digest("hex"));
      assert.equal(digest.bytes, data.length);
      assert.equal(out.length, chunks.length);
      out.forEach((c, i) => assert.equal(c, chunks[i], "chunks pass through untouched"));
    });
  }
}

Deno.test("DigestStream() of an empty stream is the digest of nothing", async () => {
  const digest = new DigestStream("sha256");
  await collect(streamOf([]).pipeThrough(digest));
  assert.equal(await digest.digest, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assert.equal(digest.bytes, 0);
});

Deno.test("DigestStream() uses the abilities in force when no hasher is given", async () => {
  const used: string[] = [];
  const [web, node] = BACKENDS;
  const counting: Abilities = {
    ...node,
    name: "counting",
    createHasher(algorithm) {
      used.push(algorithm);
      return node.createHasher(algorithm);
    },
  };
  const previous = setAbilities(counting);
  try {
    const digest = new DigestStream("sha1");
    await collect(streamOf([new TextEncoder().encode("abc")]).pipeThrough(digest));
    assert.equal(await digest.digest, ABC.sha1);
    assert.deepEqual(used, ["sha1"]);
  } finally {
    assert.equal(setAbilities(previous), counting);
  }
  assert.equal(previous, web);
});

Deno.test("DigestStream() rejects unknown algorithms and non-byte chunks", async () => {
  assert.throws(() => new DigestStream("md5" as HashAlgorithm), { name: "TypeError", message: /md5/ });
  const digest = new DigestStream("sha256");
  await assert.rejects(collect(streamOf(["abc" as unknown as Uint8Array]).pipeThrough(digest)), TypeError);
  await assert.rejects(digest.digest, TypeError);
});

Deno.test("DigestStream.digest rejects when the output is cancelled", async () => {
  const digest = new DigestStream("sha256");
  const reader = streamOf([bytes(10), bytes(10)]).pipeThrough(digest).getReader();
  await reader.read();
  await reader.cancel(new Error("stop"));
  await assert.rejects(digest.digest, /stop/);
});

Deno.test("DigestStream.digest rejects with the source's error", async () => {
  const digest = new DigestStream("sha256");
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes(5));
      controller.error(new Error("connection reset"));
    },
  });
  await assert.rejects(source.pipeThrough(digest).pipeTo(new WritableStream()), /connection reset/);
  await assert.rejects(digest.digest, /connection reset/);
});
