import assert from "node:assert/strict";
import { FsStorage } from "./fs_storage.ts";

const text = (s: string) => new TextEncoder().encode(s);
const streamOf = (...chunks: Uint8Array[]) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (const chunk of chunks) c.enqueue(chunk);
      c.close();
    },
  });

async function withStorage(fn: (storage: FsStorage, dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "fs-storage-" });
  try {
    await fn(new FsStorage(dir), dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("FsStorage writes documents atomically at their repository path and lists them", async () => {
  await withStorage(async (storage, dir) => {
    assert.equal(await storage.get("tuf/timestamp.json"), undefined);
    await storage.put("tuf/timestamp.json", text("one"));
    await storage.put("tuf/timestamp.json", text("two"));
    assert.equal(await Deno.readTextFile(`${dir}/tuf/timestamp.json`), "two");
    await storage.put("releases.json", text("{}"));
    assert.deepEqual((await storage.list("")).sort(), ["releases.json", "tuf/timestamp.json"]);
    assert.deepEqual(await storage.list("tuf/"), ["tuf/timestamp.json"]);
    assert.deepEqual(await storage.list("nothing"), []);
  });
});

Deno.test("FsStorage refuses paths that could leave the directory", async () => {
  await withStorage(async (storage) => {
    for (const bad of ["../x", "tuf/../../x", "/etc/passwd", "a//b", "", ".hidden", "a/./b"]) {
      await assert.rejects(() => storage.get(bad), TypeError, bad);
      await assert.rejects(() => storage.put(bad, text("x")), TypeError, bad);
    }
    await assert.rejects(() => storage.headBlob("0".repeat(64), { path: "tuf/timestamp.json" }), TypeError);
    await assert.rejects(() => storage.headBlob("../" + "0".repeat(61)), TypeError);
  });
});

Deno.test("FsStorage streams a blob in, reads it whole or by range, and links it to its target path", async () => {
  await withStorage(async (storage, dir) => {
    const sha = "ab".repeat(32);
    assert.deepEqual(await storage.putBlob(sha, streamOf(text("hello "), text("world"))), { size: 11 });
    assert.deepEqual(await storage.headBlob(sha), { size: 11 });
    const whole = await storage.getBlob(sha);
    assert.equal(await new Response(whole!.body).text(), "hello world");
    const part = await storage.getBlob(sha, { range: { offset: 6, length: 5 } });
    assert.equal(part!.size, 11);
    assert.equal(await new Response(part!.body).text(), "world");
    const cancelled = await storage.getBlob(sha);
    await cancelled!.body.cancel(); // closes the file (the leak checker would notice otherwise)
    await storage.linkBlob(sha, `targets/apps/a/${sha}.x.tar.gz`);
    assert.equal(await Deno.readTextFile(`${dir}/targets/apps/a/${sha}.x.tar.gz`), "hello world");
  });
});

Deno.test("FsStorage stores nothing when the incoming stream errors (no blob, no temp file)", async () => {
  await withStorage(async (storage, dir) => {
    const sha = "cd".repeat(32);
    const failing = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(text("partial"));
        c.error(new RangeError("Cannot read: boom"));
      },
    });
    await assert.rejects(() => storage.putBlob(sha, failing), RangeError);
    assert.equal(await storage.headBlob(sha), undefined);
    assert.deepEqual([...Deno.readDirSync(`${dir}/blobs`)], []);
  });
});

Deno.test("FsStorage serves a static repository's target files by their consistent-snapshot path", async () => {
  await withStorage(async (storage, dir) => {
    const sha = "ef".repeat(32);
    await Deno.mkdir(`${dir}/targets/images/x`, { recursive: true });
    await Deno.writeTextFile(`${dir}/targets/images/x/${sha}.os.img`, "image");
    assert.equal(await storage.headBlob(sha), undefined, "not content-addressed");
    const path = `targets/images/x/${sha}.os.img`;
    assert.deepEqual(await storage.headBlob(sha, { path }), { size: 5 });
    assert.equal(await new Response((await storage.getBlob(sha, { path }))!.body).text(), "image");
  });
});
