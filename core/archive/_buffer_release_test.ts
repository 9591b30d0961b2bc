import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { packTar } from "modern-tar";
import { setAbilities } from "../abilities.ts";
import { nodeAbilities } from "../node.ts";
import { CAN_RELEASE } from "../verify/mod.ts";
import { UntarStream } from "./mod.ts";

setAbilities(nodeAbilities);

const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** Files of many sizes (empty, small, over several 256 KiB gunzip buffers), random: incompressible. */
const SIZES = [300_000, 1_000, 0, 700_000, 5, 262_144, 1_500_000, 90_000, 12, 400_000];
const files = SIZES.map((size, i) => ({ name: `f${i}.bin`, bytes: new Uint8Array(randomBytes(size)) }));
const tar = await packTar(
  files.map((f) => ({ header: { name: f.name, size: f.bytes.length }, body: f.bytes })),
);
const tgz = new Uint8Array(gzipSync(tar, { level: 1 }));

/** `bytes` as a stream of fresh 128 KiB chunks (each its own buffer), kept for looking at after. */
function chunked(bytes: Uint8Array, kept: Uint8Array[]): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      const chunk = bytes.slice(at, at += 128 * 1024);
      kept.push(chunk);
      c.enqueue(chunk);
    },
  }, { highWaterMark: 0 });
}

/** Reads every body one chunk at a time (as extractTo does); each chunk hashed as it is read. */
async function extract(input: ReadableStream<Uint8Array>, releaseBuffers: boolean) {
  const seen = new Map<string, string>();
  const chunks: Uint8Array[] = [];
  for await (const entry of input.pipeThrough(new UntarStream({ releaseBuffers }))) {
    const h = createHash("sha256");
    if (entry.body) {
      for await (const chunk of entry.body) {
        h.update(chunk);
        chunks.push(chunk);
      }
    }
    seen.set(entry.path, h.digest("hex"));
  }
  return { seen, chunks };
}

function assertIntact(seen: Map<string, string>) {
  assert.deepEqual(seen, new Map(files.map((f) => [f.name, sha(f.bytes)])));
}

Deno.test("releaseBuffers frees each gzip input chunk and gunzip output once used, the files intact", async () => {
  const input: Uint8Array[] = [];
  const { seen, chunks } = await extract(chunked(tgz, input), true);
  assertIntact(seen);
  if (!CAN_RELEASE) return;
  // every input chunk but the last is detached (read as empty) ...
  assert.ok(input.length > 20);
  // (counts, not arrays: a failing deepEqual of MiBs of bytes renders them all)
  assert.equal(input.slice(0, -1).filter((c) => c.byteLength > 0).length, 0);
  // ... and so are the body chunks of all gunzip buffers but the last few
  const released = chunks.filter((c) => c.byteLength === 0).length;
  assert.ok(released >= chunks.length - 8, `${released} of ${chunks.length} body chunks released`);
});

Deno.test("releaseBuffers frees the chunks of a plain tar once the bodies are read past them", async () => {
  const input: Uint8Array[] = [];
  const { seen } = await extract(chunked(tar, input), true);
  assertIntact(seen);
  if (!CAN_RELEASE) return;
  const released = input.filter((c) => c.byteLength === 0).length;
  assert.ok(released >= input.length - 4, `${released} of ${input.length} input chunks released`);
});

Deno.test("without releaseBuffers no chunk is touched", async () => {
  const input: Uint8Array[] = [];
  const { seen, chunks } = await extract(chunked(tgz, input), false);
  assertIntact(seen);
  assert.equal(input.filter((c) => c.byteLength === 0).length, 0);
  assert.equal(chunks.filter((c) => c.byteLength === 0).length, 0);
});
