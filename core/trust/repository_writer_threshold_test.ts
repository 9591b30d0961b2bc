import assert from "node:assert/strict";
import { decodeMetadata } from "./envelope.ts";
import { generateKeyPair, type KeyPair } from "./key_pair.ts";
import { MemoryStore } from "./memory_store.ts";
import { refreshTrust } from "./refresh_trust.ts";
import { RepositoryWriter, type StagedTargets } from "./repository_writer.ts";

const T0 = new Date("2026-06-01T12:00:00Z");
const target = { length: 2, hashes: { sha256: "ab".repeat(32) }, custom: { kind: "device-types" as const } };

/** A repository whose root and targets roles have 3 keys (Ed25519, ECDSA, Ed25519) and threshold 2. */
async function threeHolders() {
  const root = [
    await generateKeyPair(),
    await generateKeyPair({ keyType: "ecdsa" }),
    await generateKeyPair(),
  ];
  const targets = [
    await generateKeyPair({ keyType: "ecdsa" }),
    await generateKeyPair(),
    await generateKeyPair(),
  ];
  const online = { snapshot: await generateKeyPair(), timestamp: await generateKeyPair() };
  const store = new MemoryStore();
  await RepositoryWriter.init(store, { root, targets, ...online }, {
    now: T0,
    thresholds: { root: 2, targets: 2 },
  });
  const client = new MemoryStore();
  const trustedRoot = (await store.get("tuf/1.root.json"))!;
  const refresh = () => refreshTrust({ fetch: (p) => store.get(p), store: client, trustedRoot, now: T0 });
  return { root, targets, online, store, refresh };
}

Deno.test("RepositoryWriter.init() lists several keys per role with thresholds and signs with all of them", async () => {
  const { store, refresh, targets } = await threeHolders();
  const root = decodeMetadata((await store.get("tuf/1.root.json"))!);
  const signed = root.signed as {
    roles: Record<string, { keyids: string[]; threshold: number }>;
    keys: Record<string, { keytype: string }>;
  };
  assert.deepEqual(signed.roles.targets, { keyids: targets.map((k) => k.keyid), threshold: 2 });
  assert.equal(signed.roles.snapshot?.threshold, 1);
  assert.equal(signed.keys[targets[0]!.keyid]?.keytype, "ecdsa");
  assert.equal(root.signatures.length, 3);
  assert.deepEqual((await refresh()).versions, { root: 1, targets: 1, snapshot: 1, timestamp: 1 });
  await assert.rejects(
    RepositoryWriter.init(new MemoryStore(), {
      root: [targets[0]!],
      targets,
      snapshot: targets[1]!,
      timestamp: targets[2]!,
    }, {
      thresholds: { root: 2 },
    }),
    /root threshold 2 with 1 key/,
  );
});

Deno.test("RepositoryWriter stages targets signed below the threshold; signStaged() publishes at 2 of 3", async () => {
  const { store, refresh, targets, online } = await threeHolders();
  const notes: StagedTargets[] = [];
  const one = await RepositoryWriter.open(store, { targets: targets[0]!, ...online }, {
    now: T0,
    onStaged: (s) => notes.push(s),
  });
  one.setTarget("device-types.json", target);
  const { versions, staged } = await one.commit();
  assert.deepEqual(versions, { root: 1, targets: 1, snapshot: 1, timestamp: 1 }, "nothing published");
  assert.deepEqual(staged, {
    role: "targets",
    version: 2,
    path: "staged/targets.json",
    signatures: 1,
    threshold: 2,
    missing: [targets[1]!.keyid, targets[2]!.keyid],
  });
  assert.deepEqual(notes, [staged]);
  assert.equal(await store.get("tuf/2.targets.json"), undefined);
  assert.equal((await refresh()).targets.size, 0, "clients see nothing of it");

  // another holder, elsewhere: no snapshot/timestamp keys, so the signature is added but it stays staged
  const holder = await RepositoryWriter.open(store, {}, { now: T0 });
  assert.ok(holder.targets().has("device-types.json"), "builds on the staged metadata");
  const complete = await holder.signStaged([targets[2]!]);
  assert.equal(complete.staged?.signatures, 2);
  assert.equal(await store.get("tuf/2.targets.json"), undefined);
  await assert.rejects(holder.signStaged([online.snapshot]), /is not a targets key/);

  // the operator with the online keys publishes it
  const operator = await RepositoryWriter.open(store, online, { now: T0 });
  const published = await operator.signStaged([]);
  assert.equal(published.staged, undefined);
  assert.deepEqual(published.versions, { root: 1, targets: 2, snapshot: 2, timestamp: 2 });
  assert.equal(await store.get("staged/targets.json"), undefined, "removed once published");
  const trusted = await refresh();
  assert.ok(trusted.targets.has("device-types.json"));
  await assert.rejects(operator.signStaged([targets[1]!]), { code: "E_NOT_FOUND" });
});

Deno.test("RepositoryWriter: two targets keys at hand publish at once; rotateKey keeps thresholds and other keys", async () => {
  const { store, refresh, root, targets, online } = await threeHolders();
  const two = await RepositoryWriter.open(store, {
    root: [root[0]!, root[1]!],
    targets: [targets[1]!, targets[2]!],
    ...online,
  }, {
    now: T0,
  });
  two.setTarget("device-types.json", target);
  assert.equal((await two.commit()).staged, undefined);
  const fresh: KeyPair = await generateKeyPair({ keyType: "ecdsa" });
  await two.rotateKey("targets", fresh);
  const r2 = decodeMetadata((await store.get("tuf/2.root.json"))!).signed as {
    roles: Record<string, { keyids: string[]; threshold: number }>;
  };
  assert.deepEqual(r2.roles.targets, {
    keyids: [targets[0]!.keyid, targets[2]!.keyid, fresh.keyid],
    threshold: 2,
  });
  assert.equal(r2.roles.root?.threshold, 2);
  assert.deepEqual((await refresh()).versions.root, 2);
  const alone = await RepositoryWriter.open(store, { root: root[2]!, ...online }, { now: T0 });
  await assert.rejects(alone.rotateKey("snapshot", await generateKeyPair()), /signed by 1\/2 keys/);
  assert.equal(await store.get("tuf/3.root.json"), undefined, "a root short of its threshold is not written");
});
