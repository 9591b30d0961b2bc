import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { webAbilities } from "../abilities.ts";
import { IntegrityError } from "../errors.ts";
import { nodeAbilities } from "../node.ts";
import { VerifyStream } from "./verify_stream.ts";
import { bytes, collect, concat, split, streamOf } from "./_testing.ts";

const BACKENDS = [webAbilities, nodeAbilities] as const;
const DATA = bytes(300_000, 3);
const SHA256 = createHash("sha256").update(DATA).digest("hex");
const SHA1 = createHash("sha1").update(DATA).digest("hex");
const SHA512 = createHash("sha512").update(DATA).digest("hex");
const CHUNKS = split(DATA, [65536, 1, 4000]);
const WRONG = "0".repeat(64);

function integrity(...patterns: RegExp[]) {
  return (err: unknown) => {
    assert.ok(err instanceof IntegrityError, `expected IntegrityError, got ${String(err)}`);
    assert.equal(err.code, "E_INTEGRITY");
    for (const p of patterns) assert.match(err.message, p);
    return true;
  };
}

for (const backend of BACKENDS) {
  const createHasher = backend.createHasher;

  Deno.test(`VerifyStream with ${backend.name}: matching bytes pass through and done gives length and digests`, async () => {
    const verify = new VerifyStream({ length: DATA.length, sha256: SHA256, sha512: SHA512.toUpperCase() }, {
      createHasher,
      compute: ["sha1"],
    });
    const out = await collect(streamOf(CHUNKS).pipeThrough(verify));
    assert.deepEqual(concat(out), DATA);
    assert.deepEqual(await verify.done, {
      length: DATA.length,
      hashes: { sha256: SHA256, sha512: SHA512, sha1: SHA1 },
    });
  });

  Deno.test(`VerifyStream with ${backend.name}: a digest mismatch errors at the end naming the artifact and both values`, async () => {
    const tampered = DATA.slice();
    tampered[1234]! ^= 1;
    const verify = new VerifyStream({ length: DATA.length, sha256: SHA256 }, {
      name: "app.tar.gz",
      createHasher,
    });
    const actual = createHash("sha256").update(tampered).digest("hex");
    const check = integrity(
      /^Cannot verify app\.tar\.gz: sha256 mismatch/,
      new RegExp(`expected ${SHA256}`),
      new RegExp(`got ${actual}`),
    );
    await assert.rejects(collect(streamOf(split(tampered, [65536])).pipeThrough(verify)), check);
    await assert.rejects(verify.done, check);
  });
}

Deno.test("VerifyStream: one wrong digest among several is named", async () => {
  const verify = new VerifyStream({ sha256: SHA256, sha1: "f".repeat(40) }, { name: "img" });
  await assert.rejects(collect(streamOf(CHUNKS).pipeThrough(verify)), integrity(/img: sha1 mismatch/));
});

Deno.test("VerifyStream: a short stream errors at the end with both lengths", async () => {
  const verify = new VerifyStream({ length: DATA.length + 1, sha256: SHA256 }, { name: "x.img" });
  await assert.rejects(
    collect(streamOf(CHUNKS).pipeThrough(verify)),
    integrity(new RegExp(`^Cannot verify x\\.img: got ${DATA.length} bytes, expected ${DATA.length + 1}$`)),
  );
  await assert.rejects(verify.done, IntegrityError);
});

Deno.test("VerifyStream: a long stream errors on the first chunk past the length, which is not passed on", async () => {
  const received: Uint8Array[] = [];
  let pulled = 0;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled++;
      controller.enqueue(bytes(1000, pulled));
      if (pulled > 100) controller.close();
    },
  });
  const verify = new VerifyStream({ length: 2500, sha256: WRONG }, { name: "big.bin" });
  const sink = new WritableStream<Uint8Array>({ write: (c) => void received.push(c) });
  await assert.rejects(
    source.pipeThrough(verify).pipeTo(sink),
    integrity(/^Cannot verify big\.bin: more than the expected 2500 bytes \(got at least 3000\)$/),
  );
  assert.equal(concat(received).length, 2000);
  assert.ok(pulled < 10, `errored early, not at the end (pulled ${pulled} chunks)`);
  await assert.rejects(verify.done, IntegrityError);
});

Deno.test("VerifyStream: a mismatch is reported through done even if nobody awaits the readable", async () => {
  const verify = new VerifyStream({ sha256: WRONG });
  const piped = streamOf(CHUNKS).pipeThrough(verify).pipeTo(new WritableStream());
  await assert.rejects(verify.done, IntegrityError);
  await assert.rejects(piped, IntegrityError);
});

Deno.test("VerifyStream: passes chunks on before its input ends (nothing buffered whole)", async () => {
  let input!: ReadableStreamDefaultController<Uint8Array>;
  const source = new ReadableStream<Uint8Array>({ start: (c) => void (input = c) });
  const verify = new VerifyStream({ length: DATA.length, sha256: SHA256 });
  const reader = source.pipeThrough(verify).getReader();
  input.enqueue(CHUNKS[0]!);
  const first = await reader.read();
  assert.equal(first.value, CHUNKS[0]);
  for (const chunk of CHUNKS.slice(1)) input.enqueue(chunk);
  input.close();
  while (!(await reader.read()).done);
  assert.equal((await verify.done).length, DATA.length);
});

Deno.test("VerifyStream: a prefix (resume) is hashed and counted but not passed on", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const part = `${dir}/blob.part`;
    await Deno.writeFile(part, DATA.subarray(0, 100_000));
    const file = await Deno.open(part);
    const seen: number[] = [];
    const verify = new VerifyStream({ length: DATA.length, sha256: SHA256 }, {
      prefix: file.readable,
      onProgress: (n) => seen.push(n),
    });
    const out = await collect(streamOf(split(DATA.subarray(100_000), [65536])).pipeThrough(verify));
    assert.deepEqual(concat(out), DATA.subarray(100_000));
    assert.deepEqual(await verify.done, { length: DATA.length, hashes: { sha256: SHA256 } });
    assert.equal(seen[0], 100_000);
    assert.equal(seen.at(-1), DATA.length);
    assert.ok(seen.every((n, i) => i === 0 || n > seen[i - 1]!));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("VerifyStream: a prefix from an array, and a prefix longer than the length errors", async () => {
  const ok = new VerifyStream({ length: DATA.length, sha256: SHA256 }, { prefix: [DATA.subarray(0, 10)] });
  await collect(streamOf([DATA.subarray(10)]).pipeThrough(ok));
  assert.equal((await ok.done).length, DATA.length);
  const tooLong = new VerifyStream({ length: 5, sha256: WRONG }, { name: "p", prefix: [bytes(6)] });
  await assert.rejects(collect(streamOf([]).pipeThrough(tooLong)), integrity(/^Cannot verify p: more than/));
  await assert.rejects(tooLong.done, IntegrityError);
});

Deno.test("VerifyStream: done rejects when the output is cancelled", async () => {
  const verify = new VerifyStream({ sha256: SHA256 });
  const reader = streamOf(CHUNKS).pipeThrough(verify).getReader();
  await reader.read();
  await reader.cancel(new Error("user abort"));
  await assert.rejects(verify.done, /user abort/);
});

Deno.test("VerifyStream: bad expectations are refused with TypeError or RangeError", () => {
  assert.throws(() => new VerifyStream({ length: 3 }), { name: "TypeError", message: /no digest given/ });
  assert.throws(() => new VerifyStream({ sha256: "abc" }), { name: "TypeError", message: /64 hex digits/ });
  assert.throws(() => new VerifyStream({ sha1: "z".repeat(40) }), TypeError);
  assert.throws(() => new VerifyStream({ sha256: SHA256, length: -1 }), RangeError);
  assert.throws(() => new VerifyStream({ sha256: SHA256 }, { compute: ["md5" as "sha1"] }), TypeError);
  assert.throws(() => new VerifyStream(null as unknown as { sha256: string }), TypeError);
});

Deno.test("VerifyStream: a non-byte chunk errors the stream and done with TypeError", async () => {
  const verify = new VerifyStream({ sha256: SHA256 });
  await assert.rejects(collect(streamOf(["text" as unknown as Uint8Array]).pipeThrough(verify)), TypeError);
  await assert.rejects(verify.done, TypeError);
});

Deno.test("VerifyStream: done rejects with the source's error", async () => {
  const verify = new VerifyStream({ sha256: SHA256 });
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(CHUNKS[0]!);
      controller.error(new Error("connection reset"));
    },
  });
  await assert.rejects(source.pipeThrough(verify).pipeTo(new WritableStream()), /connection reset/);
  await assert.rejects(verify.done, /connection reset/);
});
