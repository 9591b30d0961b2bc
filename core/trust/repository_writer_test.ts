import assert from "node:assert/strict";
import { decodeMetadata, signEnvelope } from "./envelope.ts";
import { generateKeyPair } from "./key_pair.ts";
import { MemoryStore } from "./memory_store.ts";
import { RepositoryWriter, type RoleKeys } from "./repository_writer.ts";
import { createRollout } from "../rollout/mod.ts";

const T0 = new Date("2026-06-01T12:00:00.123Z");
async function keys(): Promise<RoleKeys> {
  return {
    root: await generateKeyPair(),
    targets: await generateKeyPair(),
    snapshot: await generateKeyPair(),
    timestamp: await generateKeyPair(),
  };
}
const appTarget = (commit: string, serial: number) => ({
  length: 4,
  hashes: { sha256: commit.padEnd(64, "0"), sha1: "a".repeat(40) },
  custom: { kind: "app" as const, name: "o/a", ref: "main", commit, serial, updated: "2026-06-01T00:00:00Z" },
});
// deno-lint-ignore no-explicit-any
const signedOf = async (store: MemoryStore, path: string): Promise<any> =>
  decodeMetadata((await store.get(path))!).signed;

Deno.test("RepositoryWriter.init() writes root v1 and v1 of the others with the default expiries, and refuses a second init", async () => {
  const store = new MemoryStore();
  const k = await keys();
  const w = await RepositoryWriter.init(store, k, { now: T0 });
  assert.deepEqual(w.versions, { root: 1, targets: 1, snapshot: 1, timestamp: 1 });
  assert.deepEqual(store.paths(), [
    "releases.json",
    "tuf/1.root.json",
    "tuf/1.snapshot.json",
    "tuf/1.targets.json",
    "tuf/root.json",
    "tuf/timestamp.json",
  ]);
  const root = await signedOf(store, "tuf/1.root.json");
  assert.equal(root.consistent_snapshot, true);
  assert.equal(root.expires, "2027-06-01T12:00:00Z", "no milliseconds; 365 days");
  assert.deepEqual(root.roles.targets, { keyids: [k.targets.keyid], threshold: 1 });
  assert.equal((await signedOf(store, "tuf/1.targets.json")).expires, "2026-08-30T12:00:00Z");
  assert.equal((await signedOf(store, "tuf/1.snapshot.json")).expires, "2026-06-08T12:00:00Z");
  assert.equal((await signedOf(store, "tuf/timestamp.json")).expires, "2026-06-02T12:00:00Z");
  await assert.rejects(RepositoryWriter.init(store, k), { code: "E_UNSUPPORTED" });
  const custom = await RepositoryWriter.init(new MemoryStore(), k, {
    now: T0,
    expiresDays: { timestamp: 2, root: 10 },
  });
  assert.equal(custom.root.expires, "2026-06-11T12:00:00Z");
});

Deno.test("RepositoryWriter.commit() bumps targets, snapshot and timestamp and writes releases.json", async () => {
  const store = new MemoryStore();
  const k = await keys();
  const w = await RepositoryWriter.init(store, k, { now: T0 });
  w.setTarget("apps/o/a/main/aaaaaaa.tar.gz", appTarget("aaaaaaa", 1));
  w.setTarget("apps/o/a/main/bbbbbbb.tar.gz", appTarget("bbbbbbb", 2));
  assert.deepEqual((await w.commit()).versions, { root: 1, targets: 2, snapshot: 2, timestamp: 2 });
  const targets = await signedOf(store, "tuf/2.targets.json");
  assert.deepEqual(Object.keys(targets.targets), [
    "apps/o/a/main/aaaaaaa.tar.gz",
    "apps/o/a/main/bbbbbbb.tar.gz",
  ]);
  const snap = await signedOf(store, "tuf/2.snapshot.json");
  assert.equal(snap.meta["targets.json"].version, 2);
  assert.equal(snap.meta["targets.json"].length, (await store.get("tuf/2.targets.json"))!.length);
  const releases = JSON.parse(new TextDecoder().decode(await store.get("releases.json")));
  assert.equal(releases["o/a"].main.commit, "bbbbbbb");
  assert.equal(releases["o/a"].main.sha1, "a".repeat(40));
  w.removeTarget("apps/o/a/main/bbbbbbb.tar.gz");
  await w.commit();
  const again = await RepositoryWriter.open(store, { targets: k.targets });
  assert.deepEqual([...again.targets().keys()], ["apps/o/a/main/aaaaaaa.tar.gz"]);
  assert.equal(again.targets().get("apps/o/a/main/aaaaaaa.tar.gz")!.hashes.sha1, "a".repeat(40));
  assert.throws(() => w.setTarget("../x", appTarget("aaaaaaa", 1)), TypeError);
  assert.throws(() => w.setTarget("x", { ...appTarget("aaaaaaa", 1), length: -1 }), RangeError);
});

Deno.test("RepositoryWriter.open() refuses keys the root does not list and signing without the needed key", async () => {
  const store = new MemoryStore();
  const k = await keys();
  await RepositoryWriter.init(store, k);
  await assert.rejects(
    RepositoryWriter.open(store, { targets: await generateKeyPair() }),
    /is not a targets key/,
  );
  const tsOnly = await RepositoryWriter.open(store, { timestamp: k.timestamp });
  await assert.rejects(tsOnly.commit(), /no targets key/);
  assert.equal((await tsOnly.renewTimestamp()).versions.timestamp, 2);
  assert.equal((await signedOf(store, "tuf/timestamp.json")).version, 2);
  await assert.rejects(RepositoryWriter.open(new MemoryStore(), k), {
    code: "E_TRUST",
    message: /not found/,
  });
});

Deno.test("RepositoryWriter.acceptTargets() takes newer targets signed by the targets key and refuses others", async () => {
  const store = new MemoryStore();
  const k = await keys();
  const edge = await RepositoryWriter.init(store, k, { now: T0 });
  const base = await signedOf(store, "tuf/1.targets.json");
  const v2 = {
    ...base,
    version: 2,
    targets: {
      "device-types.json": {
        length: 1,
        hashes: { sha256: "0".repeat(64) },
        custom: { kind: "device-types" },
      },
    },
  };
  await assert.rejects(edge.acceptTargets(await signEnvelope(v2, [k.snapshot])), /signed by 0\/1/);
  assert.deepEqual((await edge.acceptTargets(await signEnvelope(v2, [k.targets]))).versions, {
    root: 1,
    targets: 2,
    snapshot: 2,
    timestamp: 2,
  });
  assert.ok(edge.targets().has("device-types.json"));
  await assert.rejects(
    edge.acceptTargets(await signEnvelope(v2, [k.targets])),
    /not newer than v2 \(rollback\)/,
  );
  const expired = { ...v2, version: 3, expires: "2026-06-01T00:00:00Z" };
  await assert.rejects(edge.acceptTargets(await signEnvelope(expired, [k.targets])), /expired/);
  const unsafe = { ...v2, version: 3, targets: { "../x": v2.targets["device-types.json"] } };
  await assert.rejects(edge.acceptTargets(await signEnvelope(unsafe, [k.targets])), { code: "E_TRUST" });
  assert.equal((await signedOf(store, "tuf/timestamp.json")).version, 2, "refused uploads change nothing");
});

Deno.test("RepositoryWriter serialises concurrent commits so versions never collide", async () => {
  const store = new MemoryStore();
  const w = await RepositoryWriter.init(store, await keys());
  await Promise.all([w.commit(), w.renewTimestamp(), w.commit()]);
  assert.deepEqual(w.versions, { root: 1, targets: 3, snapshot: 3, timestamp: 4 });
  assert.equal((await signedOf(store, "tuf/timestamp.json")).meta["snapshot.json"].version, 3);
});

Deno.test("RepositoryWriter.renewTimestamp() renews snapshot past half its life, and targets only with the targets key", async () => {
  const store = new MemoryStore();
  const k = await keys();
  await RepositoryWriter.init(store, k, { now: T0 });
  const day = 86_400_000;
  let now = new Date(T0.getTime() + day);
  const online = await RepositoryWriter.open(store, { snapshot: k.snapshot, timestamp: k.timestamp }, {
    now: () => now,
  });
  // Day 1: only timestamp.
  assert.deepEqual((await online.renewTimestamp()).versions, {
    root: 1,
    targets: 1,
    snapshot: 1,
    timestamp: 2,
  });
  // Day 4 (snapshot lives 7 days): snapshot v2 over the same targets, then timestamp.
  now = new Date(T0.getTime() + 4 * day);
  assert.deepEqual((await online.renewTimestamp()).versions, {
    root: 1,
    targets: 1,
    snapshot: 2,
    timestamp: 3,
  });
  const snapshot = await signedOf(store, "tuf/2.snapshot.json");
  assert.equal(snapshot.meta["targets.json"].version, 1);
  assert.equal(Date.parse(snapshot.expires), Date.parse("2026-06-12T12:00:00Z"));
  // Day 50 (targets live 90 days): the online writer cannot re-sign targets, but keeps snapshot fresh.
  now = new Date(T0.getTime() + 50 * day);
  assert.equal((await online.renewTimestamp()).versions.targets, 1);
  const offline = await RepositoryWriter.open(store, k, { now: () => now });
  const { versions } = await offline.renewTimestamp();
  assert.equal(versions.targets, 2, "targets re-signed by the holder of the targets key");
  assert.equal((await signedOf(store, "tuf/2.targets.json")).expires, "2026-10-19T12:00:00Z");
});

Deno.test("RepositoryWriter.commit(): releases.json follows the timestamp, so a failed timestamp write leaves legacy clients where TUF ones are", async () => {
  class FailingStore extends MemoryStore {
    failTimestamp = false;
    override put(path: string, bytes: Uint8Array): Promise<void> {
      if (this.failTimestamp && path === "tuf/timestamp.json") return Promise.reject(new Error("disk full"));
      return super.put(path, bytes);
    }
  }
  const store = new FailingStore();
  const w = await RepositoryWriter.init(store, await keys(), { now: T0 });
  const before = await store.get("releases.json");
  w.setTarget("apps/o/a/main/aaaaaaa.tar.gz", appTarget("aaaaaaa", 1));
  store.failTimestamp = true;
  await assert.rejects(w.commit(), /disk full/);
  assert.deepEqual(await store.get("releases.json"), before, "the legacy view does not run ahead of TUF");
  assert.equal((await signedOf(store, "tuf/timestamp.json")).version, 1);
});

Deno.test("releases.json offers a staged release once its signed rollout is at 100%: renewTimestamp() rewrites it", async () => {
  const store = new MemoryStore();
  const k = await keys();
  let now = T0;
  const w = await RepositoryWriter.init(store, k, { now: () => now });
  const rollout = createRollout({ id: "o:a:main:2:bbbbbbb", publishedAt: T0, steps: "10,100@24h" });
  w.setTarget("apps/o/a/main/aaaaaaa.tar.gz", appTarget("aaaaaaa", 1));
  const staged = appTarget("bbbbbbb", 2);
  w.setTarget("apps/o/a/main/bbbbbbb.tar.gz", { ...staged, custom: { ...staged.custom, rollout } });
  await w.commit();
  const legacy = async () =>
    JSON.parse(new TextDecoder().decode(await store.get("releases.json")))["o/a"].main.commit;
  assert.equal(await legacy(), "aaaaaaa", "at 10%: legacy clients (no identity) keep the release at 100%");
  now = new Date(T0.getTime() + 23 * 3_600_000);
  const online = await RepositoryWriter.open(store, { timestamp: k.timestamp }, { now: () => now });
  await online.renewTimestamp();
  assert.equal(await legacy(), "aaaaaaa", "still at 10%");
  now = new Date(T0.getTime() + 24 * 3_600_000);
  await online.renewTimestamp();
  assert.equal(await legacy(), "bbbbbbb", "at 100%: the cron's repo timestamp hands it to legacy clients");
});
