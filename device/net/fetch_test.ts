import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { IntegrityError, NotFoundError, TransientError } from "../../core/errors.ts";
import { serveStatic } from "../../test/e2e/static_server.ts";
import { downloadVerified, fetchBytes } from "./fetch.ts";
import { SlowRetrievalError } from "./slow_retrieval_error.ts";

async function site() {
  const dir = await mkdtemp(join(tmpdir(), "drover-fetch-"));
  await mkdir(join(dir, "downloads"));
  const body = new Uint8Array(300_000).map((_, i) => (i * 7919) % 251);
  await writeFile(join(dir, "artifact"), body);
  const sha256 = createHash("sha256").update(body).digest("hex");
  return { dir, body, sha256, downloads: join(dir, "downloads") };
}

Deno.test("fetchBytes() reads documents, gives undefined for 404, refuses more than maxLength", async () => {
  const s = await site();
  try {
    await using server = serveStatic(s.dir);
    const got = await fetchBytes(new URL("artifact", server.url), { maxLength: 1 << 20 });
    assert.deepEqual(got, s.body);
    assert.equal(await fetchBytes(new URL("missing", server.url), { maxLength: 10 }), undefined);
    await assert.rejects(fetchBytes(new URL("artifact", server.url), { maxLength: 1000 }), IntegrityError);
    const file = await fetchBytes(pathToFileURL(join(s.dir, "artifact")), { maxLength: 1 << 20 });
    assert.equal(file?.length, s.body.length);
    assert.equal(await fetchBytes(pathToFileURL(join(s.dir, "nope")), { maxLength: 1 }), undefined);
  } finally {
    await rm(s.dir, { recursive: true });
  }
});

Deno.test("downloadVerified() resumes a .part over HTTP and from file://, reporting progress", async () => {
  const s = await site();
  try {
    await using server = serveStatic(s.dir);
    const expected = { length: s.body.length, sha256: s.sha256 };
    await writeFile(join(s.downloads, `${s.sha256}.part`), s.body.subarray(0, 123_456));
    const seen: number[] = [];
    const blob = await downloadVerified(new URL("artifact", server.url), {
      downloads: s.downloads,
      key: s.sha256,
      expected,
      onProgress: (bytes) => seen.push(bytes),
    });
    assert.equal(blob, join(s.downloads, `${s.sha256}.blob`));
    assert.deepEqual(new Uint8Array(await readFile(blob)), s.body);
    assert.deepEqual(server.requests.map((r) => [r.range, r.status]), [["bytes=123456-", 206]]);
    assert.equal(seen.at(-1), s.body.length);
    assert.ok(seen[0]! >= 123_456, "progress counts the resumed bytes");
    // already there: no request at all
    await downloadVerified(new URL("artifact", server.url), {
      downloads: s.downloads,
      key: s.sha256,
      expected,
    });
    assert.equal(server.requests.length, 1);

    await rm(blob);
    await writeFile(join(s.downloads, `${s.sha256}.part`), s.body.subarray(0, 1000));
    await downloadVerified(pathToFileURL(join(s.dir, "artifact")), {
      downloads: s.downloads,
      key: s.sha256,
      expected,
    });
    assert.deepEqual(await readdir(s.downloads), [`${s.sha256}.blob`]);
  } finally {
    await rm(s.dir, { recursive: true });
  }
});

Deno.test("downloadVerified() refuses wrong length or digest and removes the .part", async () => {
  const s = await site();
  try {
    await using server = serveStatic(s.dir);
    const url = new URL("artifact", server.url);
    await assert.rejects(
      downloadVerified(url, {
        downloads: s.downloads,
        key: s.sha256,
        expected: { length: 1000, sha256: s.sha256 },
      }),
      IntegrityError,
    );
    await assert.rejects(
      downloadVerified(url, {
        downloads: s.downloads,
        key: "0".repeat(64),
        expected: { sha256: "0".repeat(64) },
      }),
      /sha256 mismatch/,
    );
    assert.deepEqual(await readdir(s.downloads), []);
    await assert.rejects(
      downloadVerified(new URL("missing", server.url), {
        downloads: s.downloads,
        key: "a",
        expected: { sha1: "0".repeat(40) },
      }),
      NotFoundError,
    );
    await assert.rejects(
      downloadVerified(url, { downloads: s.downloads, key: "../x", expected: { sha256: s.sha256 } }),
      TypeError,
    );
  } finally {
    await rm(s.dir, { recursive: true });
  }
});

Deno.test("fetch helpers retry 5xx and give up with TransientError", async () => {
  const s = await site();
  try {
    await using server = serveStatic(s.dir, { failFirst: 100 });
    const retries: number[] = [];
    await assert.rejects(
      fetchBytes(new URL("artifact", server.url), {
        maxLength: 1 << 20,
        retries: 2,
        baseDelayMs: 1,
        onRetry: ({ attempt }) => retries.push(attempt),
      }),
      TransientError,
    );
    assert.deepEqual(retries, [1, 2]);
    assert.equal(server.requests.length, 3);
  } finally {
    await rm(s.dir, { recursive: true });
  }
});

Deno.test("downloadVerified() refuses a server announcing another length at once, without retries", async () => {
  const s = await site();
  try {
    const n = s.body.length;
    const answers: Record<string, (req: Request) => Response> = {
      "200 with a shorter Content-Length": () => new Response(s.body.slice(0, n >> 1)),
      "206 whose Content-Range total differs": () =>
        new Response(s.body.slice(1000, n - 10), {
          status: 206,
          headers: { "content-range": `bytes 1000-${n - 11}/${n - 10}` },
        }),
      "416 whose bytes */N differs": () =>
        new Response(null, { status: 416, headers: { "content-range": `bytes */${n >> 1}` } }),
    };
    for (const [what, answer] of Object.entries(answers)) {
      await using server = serveStatic(s.dir, { intercept: (req) => answer(req) });
      if (!what.startsWith("200")) {
        await writeFile(join(s.downloads, `${s.sha256}.part`), s.body.subarray(0, 1000));
      }
      await assert.rejects(
        downloadVerified(new URL("artifact", server.url), {
          downloads: s.downloads,
          key: s.sha256,
          expected: { length: n, sha256: s.sha256 },
          baseDelayMs: 1,
        }),
        (e) => e instanceof IntegrityError && /signed length/.test(e.message),
        what,
      );
      assert.equal(server.requests.length, 1, `${what}: retried`);
      await rm(join(s.downloads, `${s.sha256}.part`), { force: true });
    }
  } finally {
    await rm(s.dir, { recursive: true });
  }
});

Deno.test("downloadVerified() resumes a body cut before its declared length (transient, not integrity)", async () => {
  const s = await site();
  try {
    await using server = serveStatic(s.dir, { cutAfter: 100_000 });
    const blob = await downloadVerified(new URL("artifact", server.url), {
      downloads: s.downloads,
      key: s.sha256,
      expected: { length: s.body.length, sha256: s.sha256 },
      baseDelayMs: 1,
    });
    assert.deepEqual(new Uint8Array(await readFile(blob)), s.body);
    const ranges = server.requests.map((r) => r.range);
    assert.deepEqual(ranges, [null, "bytes=100000-", "bytes=200000-"]);
  } finally {
    await rm(s.dir, { recursive: true });
  }
});

/** A body that sends `bytes` one byte every `everyMs` (a slow retrieval attack); its timer ends with it. */
function dribble(bytes: Uint8Array, everyMs: number): ReadableStream<Uint8Array> {
  let at = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      return new Promise<void>((done) => {
        timer = setTimeout(() => {
          controller.enqueue(bytes.slice(at, ++at));
          done();
        }, everyMs);
      });
    },
    cancel: () => clearTimeout(timer),
  });
}

Deno.test("fetchBytes() gives up on a document dribbled below the minimum rate, without retrying", async () => {
  const s = await site();
  try {
    const doc = new TextEncoder().encode(JSON.stringify({ signed: { version: 1 }, pad: "x".repeat(2000) }));
    await using server = serveStatic(s.dir, { intercept: () => new Response(dribble(doc, 20)) });
    const started = performance.now();
    await assert.rejects(
      fetchBytes(new URL("tuf/timestamp.json", server.url), {
        maxLength: 16_384,
        minRate: 1024,
        rateWindowMs: 300,
        baseDelayMs: 1,
      }),
      (e) =>
        e instanceof SlowRetrievalError && e.code === "E_TRANSIENT" && /slower than 1024/.test(e.message),
    );
    assert.ok(performance.now() - started < 3000);
    assert.equal(server.requests.length, 1);
  } finally {
    await rm(s.dir, { recursive: true });
  }
});

Deno.test("fetchBytes() bounds a document by documentTimeoutMs, retries included, and by the run's deadline", async () => {
  const s = await site();
  try {
    const doc = new Uint8Array(10_000).fill(0x20);
    await using server = serveStatic(s.dir, { intercept: () => new Response(dribble(doc, 5)) });
    const url = new URL("tuf/timestamp.json", server.url);
    for (const bounded of [() => ({ documentTimeoutMs: 300 }), () => ({ deadline: Date.now() + 300 })]) {
      const bound = bounded();
      const started = performance.now();
      await assert.rejects(
        fetchBytes(url, { maxLength: 16_384, minRate: 0, ...bound }),
        (e) => e instanceof SlowRetrievalError && /deadline/.test(e.message),
        JSON.stringify(bound),
      );
      const took = performance.now() - started;
      assert.ok(took >= 250 && took < 2000, `${took} ms`);
    }
  } finally {
    await rm(s.dir, { recursive: true });
  }
});
