import assert from "node:assert/strict";
import { createApp } from "./app.ts";
import { FsStorage } from "./storage/fs_storage.ts";
import { fixtureKeys, MAX_UPLOAD, TOKEN, writeFixture } from "../test/edge/fixture.ts";
import { runSuite } from "../test/edge/suite.ts";

Deno.test("edge suite in process: app.request() over an fs storage", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "edge-app-" });
  try {
    const keys = await fixtureKeys();
    const storage = new FsStorage(dir);
    await writeFixture(storage, keys);
    const logged: string[] = [];
    const app = createApp({
      storage,
      keys: { snapshot: keys.snapshot, timestamp: keys.timestamp },
      config: { token: TOKEN, maxUploadBytes: MAX_UPLOAD, log: (line) => logged.push(line) },
    });
    await runSuite(t, { keys, fetch: async (path, init) => await app.request(path, init) });
    assert.deepEqual(logged, [], "no request of the suite was an internal error");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
