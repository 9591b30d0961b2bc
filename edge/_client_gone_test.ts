import assert from "node:assert/strict";
import { createApp } from "./app.ts";
import { FsStorage } from "./storage/fs_storage.ts";

/** A body that sends one chunk, then fails as Deno's does when the client closed the connection. */
function interrupted(error: Error): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream({
    pull(controller) {
      if (sent) return controller.error(error);
      sent = true;
      controller.enqueue(new Uint8Array(1024));
    },
  });
}

Deno.test("an upload its client interrupts is a 499 E_CLIENT_GONE, not an edge error; other failures still are", async () => {
  const dir = await Deno.makeTempDir({ prefix: "edge-client-gone-" });
  try {
    const logged: string[] = [];
    const app = createApp({
      storage: new FsStorage(dir),
      config: { token: "secret-token", log: (line) => logged.push(line) },
    });
    const put = (body: ReadableStream<Uint8Array>) =>
      app.request(`/v1/targets/${"1".repeat(64)}`, {
        method: "PUT",
        headers: { authorization: "Bearer secret-token", "content-length": "1000000" },
        body,
        duplex: "half",
      } as RequestInit);
    const gone = new Deno.errors.BadResource("Cannot read request body as underlying resource unavailable");
    let res = await put(interrupted(gone));
    assert.equal(res.status, 499);
    assert.equal((await res.json()).error.code, "E_CLIENT_GONE");
    assert.deepEqual(logged, [], "nothing logged beyond the request line");
    res = await put(interrupted(new Error("disk on fire")));
    assert.equal(res.status, 500);
    await res.body?.cancel();
    assert.equal(logged.length, 1);
    assert.match(logged[0]!, /^edge error: Error: disk on fire/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
