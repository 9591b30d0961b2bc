import assert from "node:assert/strict";
import { decodeMetadata } from "./envelope.ts";
import { generateKeyPair } from "./key_pair.ts";
import { MemoryStore } from "./memory_store.ts";
import { refreshTrust } from "./refresh_trust.ts";
import { RepositoryWriter, type RoleKeys } from "./repository_writer.ts";

async function setup() {
  const keys: RoleKeys = {
    root: await generateKeyPair(),
    targets: await generateKeyPair(),
    snapshot: await generateKeyPair(),
    timestamp: await generateKeyPair(),
  };
  const repo = new MemoryStore();
  const writer = await RepositoryWriter.init(repo, keys);
  const fetched: string[] = [];
  const client = new MemoryStore();
  const rootV1 = (await repo.get("tuf/1.root.json"))!;
  const refresh = (trustedRoot: Uint8Array | undefined = rootV1) =>
    refreshTrust({ fetch: (p) => (fetched.push(p), repo.get(p)), store: client, trustedRoot });
  return { keys, repo, writer, fetched, client, refresh };
}

Deno.test("refreshTrust() persists verified metadata and re-fetches only the timestamp when nothing changed", async () => {
  const s = await setup();
  const first = await s.refresh();
  assert.deepEqual(first.versions, { root: 1, targets: 1, snapshot: 1, timestamp: 1 });
  assert.deepEqual(s.fetched, [
    "tuf/2.root.json",
    "tuf/timestamp.json",
    "tuf/1.snapshot.json",
    "tuf/1.targets.json",
  ]);
  assert.deepEqual(s.client.paths(), ["root.json", "snapshot.json", "targets.json", "timestamp.json"]);
  s.fetched.length = 0;
  await s.refresh();
  assert.deepEqual(s.fetched, ["tuf/2.root.json", "tuf/timestamp.json"]);
  s.fetched.length = 0;
  await s.writer.renewTimestamp();
  assert.equal((await s.refresh()).versions.timestamp, 2);
  assert.deepEqual(
    s.fetched,
    ["tuf/2.root.json", "tuf/timestamp.json"],
    "same snapshot: reused from the store",
  );
});

Deno.test("refreshTrust() uses the store's newer root over the provisioned one, and works from the store alone", async () => {
  const s = await setup();
  await s.writer.rotateKey("root", await generateKeyPair());
  await s.refresh();
  assert.equal(decodeMetadata((await s.client.read("root.json"))!).signed.version, 2);
  s.fetched.length = 0;
  const again = await s.refresh();
  assert.equal(again.versions.root, 2);
  assert.equal(s.fetched[0], "tuf/3.root.json", "walk starts from the stored v2");
  assert.equal((await s.refresh(undefined)).versions.root, 2);
});

Deno.test("refreshTrust() removes the stored timestamp and snapshot when their keys rotate", async () => {
  const s = await setup();
  await s.refresh();
  const removed: string[] = [];
  const store = Object.assign(Object.create(s.client), {
    read: (n: string) => s.client.read(n),
    write: (n: string, b: Uint8Array) => s.client.write(n, b),
    remove: (n: string) => (removed.push(n), s.client.remove(n)),
  });
  await s.writer.rotateKey("snapshot", await generateKeyPair());
  const trusted = await refreshTrust({ fetch: (p) => s.repo.get(p), store });
  assert.deepEqual(removed, ["timestamp.json", "snapshot.json"]);
  assert.equal(trusted.versions.root, 2);
  assert.equal(trusted.versions.snapshot, 2);
});

Deno.test("refreshTrust() passes fetch errors through unchanged", async () => {
  const s = await setup();
  const boom = new Error("network down");
  await assert.rejects(
    refreshTrust({
      fetch: () => Promise.reject(boom),
      store: s.client,
      trustedRoot: (await s.repo.get("tuf/1.root.json"))!,
    }),
    (e) => e === boom,
  );
});

Deno.test("refreshTrust() without a timestamp is NotFoundError (no repository there), not a trust refusal", async () => {
  const s = await setup();
  const err = await refreshTrust({
    fetch: () => Promise.resolve(undefined),
    store: s.client,
    trustedRoot: (await s.repo.get("tuf/1.root.json"))!,
  }).catch((e) => e);
  assert.equal(err.code, "E_NOT_FOUND");
  assert.equal(err.message, "Cannot refresh trust: tuf/timestamp.json not found");
  assert.deepEqual(s.client.paths(), ["root.json"], "only the provisioned root is kept");
});

Deno.test("refreshTrust() when the snapshot or targets the signed metadata names is not served: try later (TransientError), not a refusal", async () => {
  for (const missing of ["tuf/1.snapshot.json", "tuf/1.targets.json"]) {
    const s = await setup();
    const err = await refreshTrust({
      fetch: (p) => (p === missing ? Promise.resolve(undefined) : s.repo.get(p)),
      store: s.client,
      trustedRoot: (await s.repo.get("tuf/1.root.json"))!,
    }).catch((e) => e);
    assert.equal(err.code, "E_TRANSIENT", String(err));
    assert.match(
      err.message,
      new RegExp(`^Cannot refresh trust: ${missing.replaceAll(".", "\\.")}, named by the`),
    );
    // served again (the publication done): the same store refreshes
    assert.equal((await s.refresh()).versions.targets, 1);
  }
});
