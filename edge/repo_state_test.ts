import assert from "node:assert/strict";
import { RepositoryWriter } from "../core/trust/mod.ts";
import { createApp } from "./app.ts";
import { FsStorage } from "./storage/fs_storage.ts";
import { fixtureKeys, writeFixture } from "../test/edge/fixture.ts";

async function withRepo(
  now: Date,
  fn: (storage: FsStorage, keys: Awaited<ReturnType<typeof fixtureKeys>>) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "edge-state-" });
  try {
    const keys = await fixtureKeys();
    const storage = new FsStorage(dir);
    await writeFixture(storage, keys, { now });
    await fn(storage, keys);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const health = async (app: ReturnType<typeof createApp>) => (await (await app.request("/healthz")).json());

Deno.test("the edge renews a timestamp close to expiry on request when it holds the online keys", async () => {
  await withRepo(new Date(Date.now() - 20 * 3600_000), async (storage, keys) => {
    const idle = createApp({ storage, config: { log: () => {} } });
    assert.equal((await health(idle)).versions.timestamp, 2, "no keys: served as is");
    const app = createApp({ storage, keys: { snapshot: keys.snapshot, timestamp: keys.timestamp } });
    const after = await health(app);
    assert.equal(after.versions.timestamp, 3);
    assert.ok(Date.parse(after.timestampExpires) > Date.now() + 23 * 3600_000);
    const ts = await (await app.request("/tuf/timestamp.json")).json();
    assert.equal(ts.signed.version, 3, "the renewed timestamp is what clients get");
    assert.equal(await app.renewTimestamp(), false, "not due any more");
  });
});

Deno.test("renewTimestamp() (the scheduled job) renews when due and only then", async () => {
  await withRepo(new Date(), async (storage, keys) => {
    let now = Date.now();
    const app = createApp({
      storage,
      keys: { snapshot: keys.snapshot, timestamp: keys.timestamp },
      config: { clock: () => now, metadataTtlMs: 0 },
    });
    assert.equal(await app.renewTimestamp(), false);
    now += 20 * 3600_000; // 4 hours before expiry, inside the 12-hour margin
    assert.equal(await app.renewTimestamp(), true);
    assert.equal((await health(app)).versions.timestamp, 3);
  });
});

Deno.test("the edge notices metadata written by others (scripts/repo.ts) after metadataTtlMs", async () => {
  await withRepo(new Date(), async (storage, keys) => {
    const app = createApp({ storage, config: { metadataTtlMs: 0 } });
    assert.equal((await (await app.request("/v1/images/nuc")).json()).versions.length, 1);
    const writer = await RepositoryWriter.open(storage, keys);
    writer.setTarget("images/intel-nuc/1.1.0/prod/nuc.img", {
      length: 1,
      hashes: { sha256: "00".repeat(32) },
      custom: {
        kind: "image",
        deviceType: "intel-nuc",
        version: "1.1.0",
        variant: "prod",
        prerelease: false,
      },
    });
    await writer.commit();
    const res = await app.request("/v1/images/nuc/latest");
    assert.equal(res.headers.get("x-drover-version"), "1.1.0");
  });
});

Deno.test("an internal failure is a generic 500 JSON error, logged, without a stack trace", async () => {
  const logged: string[] = [];
  const broken = {
    get: () => Promise.reject(new Error("disk on fire at /secret/path")),
    put: () => Promise.resolve(),
    list: () => Promise.resolve([]),
    headBlob: () => Promise.resolve(undefined),
    getBlob: () => Promise.resolve(undefined),
    putBlob: () => Promise.resolve({ size: 0 }),
  };
  const app = createApp({ storage: broken, config: { log: (line) => logged.push(line) } });
  const res = await app.request("/releases");
  assert.equal(res.status, 500);
  const text = await res.text();
  assert.deepEqual(JSON.parse(text), {
    error: { code: "E_INTERNAL", message: "Cannot serve request: internal error" },
  });
  assert.doesNotMatch(text, /secret|fire/);
  assert.match(logged.join("\n"), /disk on fire/);
});

for (const reuseResponses of [true, false]) {
  Deno.test(`the fast lane answers repeated GETs by URL and never with an older view (reuseResponses: ${reuseResponses})`, async () => {
    await withRepo(new Date(), async (storage, keys) => {
      let now = Date.now();
      const app = createApp({ storage, config: { clock: () => now, metadataTtlMs: 5_000, reuseResponses } });
      const version = async (path: string) => (await app.request(path)).headers.get("x-drover-version");
      const releases = await (await app.request("/releases")).text();
      assert.equal(await version("/v1/images/nuc/latest"), "1.0.0");
      for (let i = 0; i < 3; i++) { // cached answers: each a readable response of its own URL
        assert.equal(await (await app.request("/releases")).text(), releases);
        assert.equal(await version("/v1/images/nuc/latest"), "1.0.0");
      }
      const writer = await RepositoryWriter.open(storage, keys);
      writer.setTarget("images/intel-nuc/1.1.0/prod/nuc.img", {
        length: 1,
        hashes: { sha256: "00".repeat(32) },
        custom: {
          kind: "image",
          deviceType: "intel-nuc",
          version: "1.1.0",
          variant: "prod",
          prerelease: false,
        },
      });
      await writer.commit();
      assert.equal(
        await version("/v1/images/nuc/latest"),
        "1.0.0",
        "metadata is re-read every metadataTtlMs",
      );
      now += 5_000;
      assert.equal(await version("/v1/images/nuc/latest"), "1.1.0");
      assert.equal(await version("/v1/images/nuc/latest"), "1.1.0", "the fast lane holds the new view only");
      assert.equal(await (await app.request("/releases")).text(), releases, "unchanged document, rebuilt");
    });
  });
}
