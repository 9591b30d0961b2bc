import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IdentityStore } from "./identity_store.ts";

async function withWorkspace(fn: (ws: string) => Promise<void>): Promise<void> {
  const ws = await mkdtemp(join(tmpdir(), "identity-test-"));
  try {
    await fn(ws);
  } finally {
    await rm(ws, { recursive: true, force: true });
  }
}

Deno.test("IdentityStore creates the device key once, mode 0600 in a 0700 directory, and never replaces it", async () => {
  await withWorkspace(async (ws) => {
    const store = new IdentityStore(ws);
    const first = await store.create();
    assert.equal(first.created, true);
    assert.equal((await stat(store.paths.key)).mode & 0o777, 0o600);
    assert.equal((await stat(store.paths.identity)).mode & 0o777, 0o700);
    const text = await readFile(store.paths.key, "utf8");
    const again = await new IdentityStore(ws).create();
    assert.equal(again.created, false);
    assert.equal(again.identity.id, first.identity.id);
    assert.equal(await readFile(store.paths.key, "utf8"), text);
    assert.equal(await store.deviceId(), first.identity.id);
    assert.deepEqual((await readdir(store.paths.identity)).sort(), ["device.json"], "no temp file left");
  });
});

Deno.test("IdentityStore: creators racing for the first key all end up with the same key", async () => {
  await withWorkspace(async (ws) => {
    const made = await Promise.all(Array.from({ length: 6 }, () => new IdentityStore(ws).create()));
    assert.equal(new Set(made.map((m) => m.identity.id)).size, 1);
    assert.equal(made.filter((m) => m.created).length, 1);
  });
});

Deno.test("IdentityStore.rotate() keeps the old key in retired/ and gives a new device id", async () => {
  await withWorkspace(async (ws) => {
    const store = new IdentityStore(ws);
    const old = (await store.create()).identity;
    const oldText = await readFile(store.paths.key, "utf8");
    const rotated = await store.rotate();
    assert.notEqual(rotated.identity.id, old.id);
    assert.equal(rotated.retired, join(store.paths.retired, `${old.id}.json`));
    assert.equal(await readFile(rotated.retired!, "utf8"), oldText);
    assert.equal((await stat(store.paths.key)).mode & 0o777, 0o600);
    assert.equal((await store.load())?.id, rotated.identity.id);
  });
});

Deno.test("IdentityStore refuses a damaged key file (it never signs) and rotation replaces it", async () => {
  await withWorkspace(async (ws) => {
    const store = new IdentityStore(ws);
    assert.equal(await store.load(), undefined);
    assert.equal(await store.deviceId(), undefined);
    await store.create();
    await writeFile(store.paths.key, "{broken");
    await assert.rejects(store.load(), TypeError);
    await assert.rejects(store.create(), TypeError, "create never overwrites, even a damaged key");
    const rotated = await store.rotate();
    assert.match(rotated.retired!, /retired\/damaged-[0-9a-f]{8}\.json$/);
    assert.equal((await store.load())?.id, rotated.identity.id);
  });
});
