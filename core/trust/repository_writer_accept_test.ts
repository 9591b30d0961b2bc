import assert from "node:assert/strict";
import { TrustError } from "../errors.ts";
import { decodeMetadata, type Envelope } from "./envelope.ts";
import { generateKeyPair, type KeyPair } from "./key_pair.ts";
import { MemoryStore } from "./memory_store.ts";
import { refreshTrust } from "./refresh_trust.ts";
import { RepositoryWriter, type RoleKeys } from "./repository_writer.ts";

const T0 = new Date("2026-06-01T00:00:00Z");

/**
 * An operator's repository (all keys) and an edge's copy of it, opened with the online keys only;
 * `envelope(path)` reads what the operator wrote, `sync()` copies it all to the edge.
 */
async function setup() {
  const keys: RoleKeys = {
    root: await generateKeyPair(),
    targets: await generateKeyPair(),
    snapshot: await generateKeyPair(),
    timestamp: await generateKeyPair(),
  };
  const operator = new MemoryStore();
  const writer = await RepositoryWriter.init(operator, keys, { now: T0 });
  const store = new MemoryStore();
  for (const path of operator.paths()) await store.put(path, (await operator.get(path))!);
  const edge = await RepositoryWriter.open(store, { snapshot: keys.snapshot, timestamp: keys.timestamp }, {
    now: T0,
  });
  const envelope = async (path: string): Promise<Envelope> => decodeMetadata((await operator.get(path))!);
  return { keys, operator, writer, store, edge, envelope };
}

/** What a device that trusts tuf/1.root.json of `store` trusts after refreshing from it. */
function refresh(store: MemoryStore, options: { device?: MemoryStore } = {}) {
  return store.get("tuf/1.root.json").then((trustedRoot) =>
    refreshTrust({
      fetch: (path) => store.get(path),
      store: options.device ?? new MemoryStore(),
      trustedRoot,
      now: T0,
    })
  );
}

Deno.test("RepositoryWriter.acceptMetadata() takes the next root signed by the old and the new root key; devices walk to it", async () => {
  const s = await setup();
  const device = new MemoryStore();
  assert.equal((await refresh(s.store, { device })).versions.root, 1);
  await s.writer.rotateKey("root", await generateKeyPair());
  const v2 = await s.envelope("tuf/2.root.json");

  const { versions } = await s.edge.acceptMetadata({ roots: [v2] });
  assert.deepEqual(versions, { root: 2, targets: 1, snapshot: 2, timestamp: 2 });
  assert.deepEqual(await s.store.get("tuf/2.root.json"), await s.operator.get("tuf/2.root.json"));
  assert.deepEqual(await s.store.get("tuf/root.json"), await s.operator.get("tuf/2.root.json"));
  const trusted = await refresh(s.store, { device });
  assert.equal(trusted.versions.root, 2, "the device that trusted root v1 walked to v2");
  assert.equal(trusted.versions.snapshot, 2);
  await assert.rejects(s.edge.acceptMetadata({ roots: [v2] }), /root v2: the next root is v3/);
});

Deno.test("RepositoryWriter.acceptMetadata() refuses a root missing either threshold, skipping a version, or expired, writing nothing", async () => {
  const s = await setup();
  const newKey = await generateKeyPair();
  await s.writer.rotateKey("root", newKey);
  const v2 = await s.envelope("tuf/2.root.json");
  const byOnly = (key: KeyPair) => ({
    signed: v2.signed,
    signatures: v2.signatures.filter((sig) => sig.keyid === key.keyid),
  });
  const before = s.store.paths();
  await assert.rejects(
    s.edge.acceptMetadata({ roots: [byOnly(newKey)] }),
    (e) => e instanceof TrustError && /root v2 \(by root v1\): signed by 0\/1/.test(e.message),
  );
  await assert.rejects(
    s.edge.acceptMetadata({ roots: [byOnly(s.keys.root)] }),
    (e) => e instanceof TrustError && /root v2 \(by itself\): signed by 0\/1/.test(e.message),
  );
  await s.writer.rotateKey("root", await generateKeyPair());
  await assert.rejects(
    s.edge.acceptMetadata({ roots: [await s.envelope("tuf/3.root.json")] }),
    /Cannot accept root v3: the next root is v2/,
  );
  const late = await RepositoryWriter.open(s.store, {
    snapshot: s.keys.snapshot,
    timestamp: s.keys.timestamp,
  }, {
    now: new Date(T0.getTime() + 400 * 86_400_000),
  });
  await assert.rejects(late.acceptMetadata({ roots: [v2] }), /expired/);
  assert.deepEqual(s.store.paths(), before, "nothing written");
  assert.deepEqual(
    (await s.edge.acceptMetadata({ roots: [v2, await s.envelope("tuf/3.root.json")] })).versions.root,
    3,
    "a chain in order, at once",
  );
});

Deno.test("RepositoryWriter.acceptMetadata() refuses a root naming online keys it does not hold, and one its targets do not verify under alone", async () => {
  const s = await setup();
  await s.writer.rotateKey("snapshot", await generateKeyPair());
  const v2 = await s.envelope("tuf/2.root.json");
  assert.match(s.edge.missingOnlineKeys(v2.signed as never) ?? "", /snapshot role needs 1 of keys .*, and 0/);
  await assert.rejects(s.edge.acceptMetadata({ roots: [v2] }), (e) => e instanceof TypeError);

  const t = await setup();
  await t.writer.rotateKey("targets", await generateKeyPair());
  const root = await t.envelope("tuf/2.root.json");
  const targets = await t.envelope("tuf/2.targets.json");
  assert.equal(t.edge.missingOnlineKeys(root.signed as never), undefined);
  await assert.rejects(
    t.edge.acceptMetadata({ roots: [root] }),
    (e) => e instanceof TrustError && /targets v1 under root v2 .*signed by 0\/1/.test(e.message),
  );
  await assert.rejects(t.edge.acceptMetadata({ targets }), /signed by 0\/1/, "new targets key, old root");
  const { versions } = await t.edge.acceptMetadata({ roots: [root], targets });
  assert.deepEqual(versions, { root: 2, targets: 2, snapshot: 2, timestamp: 2 });
  assert.equal((await refresh(t.store)).versions.targets, 2);
});

Deno.test("RepositoryWriter.acceptMetadata() takes a new delegation with the role's first version at once, never one without the other", async () => {
  const s = await setup();
  const team = await generateKeyPair();
  await s.writer.delegate({ name: "acme", keys: [team], paths: ["apps/acme/*/*/*"] }, [team]);
  const targets = await s.envelope("tuf/2.targets.json");
  const acme = await s.envelope("tuf/1.acme.json");
  await assert.rejects(s.edge.acceptMetadata({ targets }), /'acme', which has no metadata/);
  await assert.rejects(s.edge.acceptMetadata({ roles: { acme } }), /no role delegates to it/);
  const { versions } = await s.edge.acceptMetadata({ targets, roles: { acme } });
  assert.equal(versions.targets, 2);
  assert.deepEqual(s.edge.delegatedVersions, { acme: 1 });
  assert.deepEqual((await refresh(s.store)).delegatedVersions, { acme: 1 });

  // the role's keys replaced: the targets naming the new key and the role signed by it, at once
  const next = await generateKeyPair();
  await s.writer.delegate({ name: "acme", keys: [next], paths: ["apps/acme/*/*/*"] }, [next]);
  const targets3 = await s.envelope("tuf/3.targets.json");
  const acme2 = await s.envelope("tuf/2.acme.json");
  await assert.rejects(s.edge.acceptMetadata({ targets: targets3 }), /signed by 0\/1/);
  await assert.rejects(s.edge.acceptMetadata({ roles: { acme: acme2 } }), /signed by 0\/1/);
  await s.edge.acceptMetadata({ targets: targets3, roles: { acme: acme2 } });
  assert.deepEqual((await refresh(s.store)).delegatedVersions, { acme: 2 });
  await assert.rejects(
    s.edge.acceptMetadata({ roles: { acme: acme2 } }),
    /role 'acme' v2: not newer than v2 \(rollback\)/,
  );
});
