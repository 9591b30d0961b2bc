import assert from "node:assert/strict";
import { createApp } from "./app.ts";
import { FsStorage } from "./storage/fs_storage.ts";
import type { BlobInfo } from "./storage/storage.ts";
import { expectError } from "../test/edge/suite_case.ts";
import { sha256Hex } from "../test/edge/fixture.ts";

const TOKEN = "test-token-0123456789";
const auth = { authorization: `Bearer ${TOKEN}` };

function chunked(chunks: number[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    pull(controller) {
      const n = chunks.shift();
      if (n === undefined) controller.close();
      else controller.enqueue(new Uint8Array(n));
    },
  });
}

Deno.test("POST /v1/metadata refuses a body over maxMetadataBytes with 413, declared or streamed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "edge-body-" });
  try {
    const app = createApp({
      storage: new FsStorage(dir),
      config: { token: TOKEN, maxMetadataBytes: 1000, log: () => {} },
    });
    const post = (body: BodyInit) =>
      app.request("/v1/metadata", { method: "POST", body, headers: auth, duplex: "half" } as RequestInit);
    await expectError(await post(new Uint8Array(1001)), 413, { code: "E_TOO_LARGE" });
    await expectError(await post(chunked([600, 600])), 413, { code: "E_TOO_LARGE" });
    // at the limit the body is read, and refused for what it is (this edge holds no online keys)
    await expectError(await post(new Uint8Array(1000)), 503, { code: "E_UNAVAILABLE" });
    await expectError(await post(chunked([500, 500])), 503, { code: "E_UNAVAILABLE" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("PUT /v1/targets caps a streamed body without buffering it: 413 at the first byte past the cap", async () => {
  const dir = await Deno.makeTempDir({ prefix: "edge-body-" });
  try {
    const app = createApp({
      storage: new FsStorage(dir),
      config: { token: TOKEN, maxUploadBytes: 1000, log: () => {} },
    });
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(400));
      },
    });
    const res = await app.request(`/v1/targets/${"a".repeat(64)}`, {
      method: "PUT",
      body: endless,
      headers: auth,
      duplex: "half",
    } as RequestInit);
    await expectError(res, 413, { code: "E_TOO_LARGE" });
    assert.ok(pulled <= 5, `read ${pulled} chunks of an endless body`);
    const declared = await app.request(`/v1/targets/${"a".repeat(64)}`, {
      method: "PUT",
      body: new Uint8Array(10),
      headers: { ...auth, "content-length": "abc" },
    });
    await expectError(declared, 400, { code: "E_BAD_REQUEST" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Resolves `arrived` when the first uploaded byte reaches storage. */
class WatchedStorage extends FsStorage {
  readonly arrived = Promise.withResolvers<void>();
  override putBlob(
    sha256: string,
    body: ReadableStream<Uint8Array>,
    options?: { length?: number },
  ): Promise<BlobInfo> {
    const arrived = this.arrived;
    const watched = body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          arrived.resolve();
          controller.enqueue(chunk);
        },
      }),
    );
    return super.putBlob(sha256, watched, options);
  }
}

Deno.test("PUT /v1/targets streams into storage while the body still arrives (a chunked upload is never held whole)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "edge-body-" });
  try {
    const storage = new WatchedStorage(dir);
    const app = createApp({ storage, config: { token: TOKEN, maxUploadBytes: 1 << 20, log: () => {} } });
    const bytes = new Uint8Array(800).fill(7);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent === 400) {
          // the rest is sent only once storage has seen the first bytes
          let timer: ReturnType<typeof setTimeout> | undefined;
          const late = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error("storage saw nothing: the body was held")), 5000);
          });
          await Promise.race([storage.arrived.promise, late]).finally(() => clearTimeout(timer));
        }
        if (sent === bytes.length) return controller.close();
        controller.enqueue(bytes.slice(sent, sent + 400));
        sent += 400;
      },
    }, { highWaterMark: 0 });
    const res = await app.request(`/v1/targets/${await sha256Hex(bytes)}`, {
      method: "PUT",
      body,
      headers: auth,
      duplex: "half",
    } as RequestInit);
    assert.equal(res.status, 201, await res.clone().text());
    assert.deepEqual(await res.json(), { sha256: await sha256Hex(bytes), size: 800, stored: true });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
