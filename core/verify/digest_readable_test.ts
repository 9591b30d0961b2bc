import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { webAbilities } from "../abilities.ts";
import { nodeAbilities } from "../node.ts";
import { digestReadable } from "./digest_readable.ts";

const data = new Uint8Array(randomBytes(3 * 1024 * 1024 + 123));
const expected = createHash("sha256").update(data).digest("hex");

/** A byte stream that fills each BYOB view with at most `step` bytes, noting the sizes of the buffers it saw. */
function byteSource(bytes: Uint8Array, step: number) {
  const seen = new Set<number>();
  let at = 0;
  const stream = new ReadableStream({
    type: "bytes",
    pull(c) {
      const req = c.byobRequest!;
      const view = req.view as Uint8Array;
      seen.add(view.buffer.byteLength);
      const n = Math.min(step, view.byteLength, bytes.length - at);
      if (n === 0) {
        c.close();
        return req.respond(0);
      }
      view.set(bytes.subarray(at, at + n));
      at += n;
      req.respond(n);
    },
  });
  return { stream, seen };
}

Deno.test("digestReadable() hashes a byte stream through one reused buffer, with either backend", async () => {
  for (const abilities of [nodeAbilities, webAbilities]) {
    const { stream, seen } = byteSource(data, 300_000);
    const result = await digestReadable(stream, "sha256", {
      hasher: abilities.createHasher("sha256"),
      bufferSize: 1 << 20, // not the default: the source fills at most 300,000 bytes a read
    });
    assert.deepEqual(result, { digest: expected, bytes: data.length }, abilities.name);
    assert.deepEqual([...seen], [1 << 20], "every read lands in the caller's 1 MiB buffer");
  }
});

Deno.test("digestReadable() hashes a Deno file stream and a plain (non-byte) stream alike", async () => {
  const path = await Deno.makeTempFile();
  try {
    await Deno.writeFile(path, data);
    using file = await Deno.open(path);
    assert.deepEqual(await digestReadable(file.readable, "sha256"), { digest: expected, bytes: data.length });
  } finally {
    await Deno.remove(path);
  }
  const plain = await digestReadable(new Blob([data]).stream(), "sha1");
  assert.equal(plain.digest, createHash("sha1").update(data).digest("hex"));
});

Deno.test("digestReadable() rejects with the source's error and refuses bad arguments", async () => {
  let sent = false;
  const failing = new ReadableStream({
    type: "bytes",
    pull(c) {
      if (sent) return c.error(new Error("disk gone"));
      sent = true;
      (c.byobRequest!.view as Uint8Array)[0] = 1;
      c.byobRequest!.respond(1);
    },
  });
  await assert.rejects(digestReadable(failing, "sha256"), /disk gone/);
  await assert.rejects(digestReadable(new Blob([]).stream(), "md5" as "sha256"), TypeError);
  await assert.rejects(digestReadable(new Blob([]).stream(), "sha256", { bufferSize: 0 }), RangeError);
});
