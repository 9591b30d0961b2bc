import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IntegrityError } from "../../core/errors.ts";
import { VerifyStream } from "../../core/verify/mod.ts";
import { serveStatic } from "../../test/e2e/static_server.ts";
import { Download } from "./download.ts";
import { SlowRetrievalError } from "./slow_retrieval_error.ts";

async function site() {
  const dir = await mkdtemp(join(tmpdir(), "drover-download-"));
  const body = new Uint8Array(300_000).map((_, i) => (i * 7919) % 251);
  await writeFile(join(dir, "artifact"), body);
  const sha256 = createHash("sha256").update(body).digest("hex");
  return {
    dir,
    body,
    sha256,
    part: join(dir, "x.part"),
    [Symbol.asyncDispose]: () => rm(dir, { recursive: true }),
  };
}

/** A body that sends `bytes` `size` bytes at a time, `everyMs` apart; its timers end with it. */
function dribble(bytes: Uint8Array, o: { size: number; everyMs: number }): ReadableStream<Uint8Array> {
  let at = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      return new Promise<void>((done) => {
        timer = setTimeout(() => {
          controller.enqueue(bytes.slice(at, at + o.size));
          at += o.size;
          done();
        }, o.everyMs);
      });
    },
    cancel: () => clearTimeout(timer),
  });
}

/** Drains `open()` through a VerifyStream of `expected`. */
const verified =
  (expected: { length: number; sha256: string }) => async (open: () => ReadableStream<Uint8Array>) => {
    const verify = new VerifyStream(expected);
    verify.done.catch(() => {});
    await open().pipeThrough(verify).pipeTo(new WritableStream());
    return await verify.done;
  };

Deno.test("Download stops a body dribbling below the minimum rate, without a retry, keeping what arrived", async () => {
  await using s = await site();
  await using server = serveStatic(s.dir, {
    intercept: () =>
      new Response(dribble(s.body, { size: 20, everyMs: 50 }), {
        headers: { "content-length": String(s.body.length) },
      }),
  });
  const download = new Download(new URL("artifact", server.url), {
    part: s.part,
    length: s.body.length,
    minRate: 4096,
    rateWindowMs: 400,
    baseDelayMs: 1,
  });
  const started = performance.now();
  await assert.rejects(download.run(verified({ length: s.body.length, sha256: s.sha256 })), (e) => {
    assert.ok(e instanceof SlowRetrievalError, String(e));
    assert.match(e.message, /slower than 4096 bytes\/s over 0\.4 s/);
    return true;
  });
  assert.ok(performance.now() - started < 3000, "stopped about one window in");
  assert.equal(server.requests.length, 1, "a slow server is not asked again");
  const kept = new Uint8Array(await readFile(s.part));
  assert.ok(kept.length > 0, "the bytes that arrived stay in the .part");
  assert.deepEqual(kept, s.body.subarray(0, kept.length));
});

Deno.test("Download counts only network waiting against the rate: a slow consumer is not the server's fault", async () => {
  await using s = await site();
  await using server = serveStatic(s.dir);
  const download = new Download(new URL("artifact", server.url), {
    part: s.part,
    length: s.body.length,
    minRate: 50 * 2 ** 20, // 50 MiB/s: loopback is faster, but not this consumer
    rateWindowMs: 100,
  });
  const started = performance.now();
  const got = await download.run(async (open) => {
    let bytes = 0;
    for await (const chunk of open()) {
      bytes += chunk.byteLength;
      await new Promise((r) => setTimeout(r, 40)); // a busy disk
    }
    return bytes;
  });
  assert.equal(got, s.body.length);
  assert.ok(performance.now() - started > 100, "the consumer took longer than a window");
  assert.deepEqual(new Uint8Array(await readFile(s.part)), s.body);
});

Deno.test("Download ends at the deadline with SlowRetrievalError, keeping the .part for the next run", async () => {
  await using s = await site();
  await using server = serveStatic(s.dir, {
    intercept: () =>
      new Response(dribble(s.body, { size: 4096, everyMs: 20 }), {
        headers: { "content-length": String(s.body.length) },
      }),
  });
  const download = new Download(new URL("artifact", server.url), {
    part: s.part,
    length: s.body.length,
    minRate: 0,
    deadline: Date.now() + 500,
  });
  await assert.rejects(
    download.run(verified({ length: s.body.length, sha256: s.sha256 })),
    (e) => e instanceof SlowRetrievalError && /deadline/.test(e.message),
  );
  assert.equal(server.requests.length, 1);
  const size = (await stat(s.part)).size;
  assert.ok(size > 0 && size < s.body.length, `${size} bytes kept`);
});

Deno.test("Download does not wait for a Retry-After that ends past the deadline", async () => {
  await using s = await site();
  await using server = serveStatic(s.dir, { failFirst: 100, retryAfter: 20 });
  const download = new Download(new URL("artifact", server.url), {
    part: s.part,
    length: s.body.length,
    deadline: Date.now() + 2000,
  });
  const started = performance.now();
  await assert.rejects(download.run((open) => new Response(open()).arrayBuffer()), SlowRetrievalError);
  assert.ok(performance.now() - started < 1500, "gave up at once instead of sleeping 20 s");
  assert.equal(server.requests.length, 1);
});

Deno.test("Download.run() downloads once more from byte 0 when an earlier run's .part does not verify", async () => {
  await using s = await site();
  await using server = serveStatic(s.dir);
  await writeFile(s.part, new Uint8Array(50_000).fill(7));
  const download = new Download(new URL("artifact", server.url), { part: s.part, length: s.body.length });
  const result = await download.run(verified({ length: s.body.length, sha256: s.sha256 }));
  assert.equal(result.length, s.body.length);
  assert.deepEqual(server.requests.map((r) => r.range), ["bytes=50000-", null]);
  assert.deepEqual(new Uint8Array(await readFile(s.part)), s.body);
});

Deno.test("Download.run() gives up at once on bad bytes of this run, removing the .part", async () => {
  await using s = await site();
  await using server = serveStatic(s.dir);
  const download = new Download(new URL("artifact", server.url), { part: s.part, length: s.body.length });
  await assert.rejects(
    download.run(verified({ length: s.body.length, sha256: "0".repeat(64) })),
    /sha256 mismatch/,
  );
  assert.equal(server.requests.length, 1);
  await assert.rejects(stat(s.part), { code: "ENOENT" });
});

Deno.test("Download caps a body of unknown length at maxLength, and the .part never holds more", async () => {
  await using s = await site();
  await using server = serveStatic(s.dir, {
    intercept: () => new Response(dribble(s.body, { size: 65_536, everyMs: 1 })), // chunked: no length
  });
  const download = new Download(new URL("artifact", server.url), { part: s.part, maxLength: 100_000 });
  await assert.rejects(download.run((open) => new Response(open()).arrayBuffer()), IntegrityError);
  await assert.rejects(stat(s.part), { code: "ENOENT" }, "bad bytes: the .part is removed");
  // the stream alone (no run: nothing removes the .part) appends nothing past the cap
  const stream = new Download(new URL("artifact", server.url), { part: s.part, maxLength: 100_000 }).open();
  await assert.rejects(stream.pipeTo(new WritableStream()), IntegrityError);
  assert.ok((await stat(s.part)).size <= 100_000);
});
