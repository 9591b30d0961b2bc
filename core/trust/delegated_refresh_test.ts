/**
 * refreshTrust with delegated targets: graphs built by RepositoryWriter (delegate, a writer opened
 * for a role, acceptDelegated) and, for what a writer refuses to publish, role versions forged with
 * the role's key and served with honest snapshot and timestamp metadata over them.
 */
import assert from "node:assert/strict";
import { TrustError } from "../errors.ts";
import { metaRef } from "./_metadata.ts";
import { decodeMetadata, encodeMetadata, signEnvelope } from "./envelope.ts";
import { generateKeyPair, type KeyPair } from "./key_pair.ts";
import { MemoryStore } from "./memory_store.ts";
import { refreshTrust, type RefreshTrustOptions } from "./refresh_trust.ts";
import { RepositoryWriter, type RoleKeys } from "./repository_writer.ts";

const T0 = new Date("2026-06-01T00:00:00Z");
const LATER = new Date("2026-06-01T01:00:00Z");
const ACME = ["apps/acme/*/*/*"];
// deno-lint-ignore no-explicit-any
type Signed = any;

function app(name: string, commit: string, serial = 1, fill = "1") {
  const path = `apps/${name}/main/${commit}.tar.gz`;
  const custom = { kind: "app" as const, name, ref: "main", commit, serial, updated: "2026-06-01T00:00:00Z" };
  return { path, target: { length: 3, hashes: { sha256: fill.repeat(64) }, custom } };
}

async function snapshotOf(repo: MemoryStore): Promise<Signed> {
  const ts = decodeMetadata((await repo.get("tuf/timestamp.json"))!).signed as Signed;
  return decodeMetadata((await repo.get(`tuf/${ts.meta["snapshot.json"].version}.snapshot.json`))!).signed;
}

async function world() {
  const keys: RoleKeys = {
    root: await generateKeyPair(),
    targets: await generateKeyPair(),
    snapshot: await generateKeyPair(),
    timestamp: await generateKeyPair(),
  };
  const repo = new MemoryStore();
  const writer = await RepositoryWriter.init(repo, keys, { now: T0 });
  const rootV1 = (await repo.get("tuf/1.root.json"))!;
  const client = new MemoryStore();
  const served = new Map<string, Uint8Array>();
  const fetched: string[] = [];
  const online = { snapshot: keys.snapshot, timestamp: keys.timestamp };
  return {
    keys,
    repo,
    writer,
    client,
    served,
    fetched,
    refresh: (options: Partial<RefreshTrustOptions> = {}) =>
      refreshTrust({
        fetch: async (path) => (fetched.push(path), served.get(path) ?? await repo.get(path)),
        store: client,
        trustedRoot: rootV1,
        now: LATER,
        ...options,
      }),
    /** Publish `apps` into role `name` with a writer opened for it (role key, no targets key). */
    publish: async (name: string, roleKeys: KeyPair[], apps: ReturnType<typeof app>[]) => {
      const w = await RepositoryWriter.open(repo, online, { now: T0, role: { name, keys: roleKeys } });
      for (const a of apps) w.setTarget(a.path, a.target);
      await w.commit();
    },
    /** Serve role `name` as `signed` signed by `signers`, under honest new snapshot and timestamp. */
    forge: async (name: string, signed: Signed, signers: KeyPair[]) => {
      const bytes = encodeMetadata(await signEnvelope(signed, signers));
      const current = async (p: string) =>
        decodeMetadata(served.get(p) ?? (await repo.get(p))!).signed as Signed;
      const ts = await current("tuf/timestamp.json");
      const snap = await current(`tuf/${ts.meta["snapshot.json"].version}.snapshot.json`);
      const snapshot = {
        ...snap,
        version: snap.version + 1,
        meta: { ...snap.meta, [`${name}.json`]: metaRef(signed.version, bytes) },
      };
      const snapBytes = encodeMetadata(await signEnvelope(snapshot, [keys.snapshot]));
      const timestamp = {
        ...ts,
        version: ts.version + 1,
        meta: { "snapshot.json": metaRef(snapshot.version, snapBytes) },
      };
      served.set(`tuf/${signed.version}.${name}.json`, bytes);
      served.set(`tuf/${snapshot.version}.snapshot.json`, snapBytes);
      served.set("tuf/timestamp.json", encodeMetadata(await signEnvelope(timestamp, [keys.timestamp])));
    },
    /** The current snapshot's signed part in the repository. */
    snapshot: () => snapshotOf(repo),
    /** The role's current signed metadata in the repository. */
    role: async (name: string) => {
      const version = (await snapshotOf(repo)).meta[`${name}.json`].version;
      return decodeMetadata((await repo.get(`tuf/${version}.${name}.json`))!).signed as Signed;
    },
  };
}

Deno.test("refreshTrust() lists a delegated role's app, persists <role>.json and reuses it while unchanged", async () => {
  const w = await world();
  const team = await generateKeyPair();
  await w.writer.delegate({ name: "acme", keys: [team], paths: ACME }, [team]);
  const radio = app("acme/radio", "abc1234");
  await w.publish("acme", [team], [radio]);
  const trusted = await w.refresh();
  assert.equal(trusted.findApp("acme/radio", "main")?.path, radio.path);
  assert.equal(trusted.signerOf(radio.path), "acme");
  assert.deepEqual(trusted.delegatedVersions, { acme: 2 });
  assert.ok(w.fetched.includes("tuf/2.acme.json"));
  assert.deepEqual(w.client.paths(), [
    "acme.json",
    "root.json",
    "snapshot.json",
    "targets.json",
    "timestamp.json",
  ]);
  w.fetched.length = 0;
  await w.refresh();
  assert.deepEqual(
    w.fetched,
    ["tuf/2.root.json", "tuf/timestamp.json"],
    "nothing changed: nothing else fetched",
  );
});

Deno.test("refreshTrust() ignores a delegated role's targets outside its paths", async () => {
  const w = await world();
  const team = await generateKeyPair();
  await w.writer.delegate({ name: "acme", keys: [team], paths: ACME }, [team]);
  const inside = app("acme/radio", "abc1234");
  const outside = app("other/radio", "abc1234");
  const current = await w.role("acme");
  await w.forge("acme", {
    ...current,
    version: current.version + 1,
    targets: { [inside.path]: inside.target, [outside.path]: outside.target },
  }, [team]);
  const trusted = await w.refresh();
  assert.ok(trusted.findApp("acme/radio", "main"));
  assert.equal(trusted.findApp("other/radio", "main"), undefined);
  assert.equal(trusted.targets.has(outside.path), false);
});

Deno.test("refreshTrust() ends the search at a terminating delegation: a later role is not asked for its paths", async () => {
  const w = await world();
  const [a, b] = [await generateKeyPair(), await generateKeyPair()];
  await w.writer.delegate({ name: "first", keys: [a], paths: ACME, terminating: true }, [a]);
  await w.writer.delegate({ name: "second", keys: [b], paths: ACME }, [b]);
  const shared = app("acme/radio", "abc1234", 1, "a");
  await w.publish("first", [a], [shared]);
  await w.publish("second", [b], [
    app("acme/radio", "abc1234", 1, "b"),
    app("acme/clock", "abc1234", 1, "b"),
  ]);
  let trusted = await w.refresh();
  assert.equal(
    trusted.targets.get(shared.path)?.hashes.sha256,
    "a".repeat(64),
    "the first role's entry wins",
  );
  assert.equal(trusted.findApp("acme/clock", "main"), undefined, "never searched past the terminating role");

  const top = await RepositoryWriter.open(w.repo, w.keys, { now: T0 }); // after the role writers' commits
  await top.delegate({ name: "first", keys: [a], paths: ACME, terminating: false }, [a]);
  trusted = await w.refresh();
  assert.equal(trusted.targets.get(shared.path)?.hashes.sha256, "a".repeat(64));
  assert.equal(
    trusted.signerOf("apps/acme/clock/main/abc1234.tar.gz"),
    "second",
    "not terminating: searched on",
  );
});

Deno.test("refreshTrust() needs threshold 2 of a delegated role's keys", async () => {
  const w = await world();
  const [k1, k2] = [await generateKeyPair(), await generateKeyPair()];
  await w.writer.delegate({ name: "acme", keys: [k1, k2], threshold: 2, paths: ACME }, [k1, k2]);
  await w.publish("acme", [k1, k2], [app("acme/radio", "abc1234")]);
  assert.ok((await w.refresh()).findApp("acme/radio", "main"));
  await assert.rejects(w.publish("acme", [k1], [app("acme/radio", "def5678", 2)]), /signed by 1\/2 keys/);
  const current = await w.role("acme");
  await w.forge("acme", { ...current, version: current.version + 1 }, [k1]);
  await assert.rejects(
    w.refresh(),
    (e) => e instanceof TrustError && /acme.*signed by 1\/2 keys/.test(e.message),
  );
});

Deno.test("refreshTrust() walks a cycle of delegations (a -> b -> a) once", async () => {
  const w = await world();
  const [ka, kb] = [await generateKeyPair(), await generateKeyPair()];
  await w.writer.delegate({ name: "a", keys: [ka], paths: ACME }, [ka]);
  await w.writer.delegate({ name: "b", keys: [kb], paths: ["apps/*/*/*/*"] }, [kb]);
  const nest = async (
    name: string,
    to: string,
    key: KeyPair,
    own: KeyPair,
    apps: ReturnType<typeof app>[],
  ) => {
    const current = await w.role(name);
    const signed = {
      ...current,
      version: current.version + 1,
      targets: Object.fromEntries(apps.map((x) => [x.path, x.target])),
      delegations: {
        keys: { [key.keyid]: { keytype: "ed25519", scheme: "ed25519", keyval: { public: key.public } } },
        roles: [{ name: to, keyids: [key.keyid], threshold: 1, terminating: false, paths: ACME }],
      },
    };
    await w.writer.acceptDelegated(name, await signEnvelope(signed, [own]));
  };
  await nest("a", "b", kb, ka, [app("acme/radio", "abc1234")]);
  await nest("b", "a", ka, kb, [app("acme/clock", "abc1234")]);
  const trusted = await w.refresh();
  assert.equal(trusted.signerOf("apps/acme/radio/main/abc1234.tar.gz"), "a");
  assert.equal(trusted.signerOf("apps/acme/clock/main/abc1234.tar.gz"), "b");
  assert.deepEqual(trusted.delegatedVersions, { a: 2, b: 2 });
});

Deno.test("refreshTrust() refuses a delegated role with a bad signature and persists nothing of it", async () => {
  const w = await world();
  const team = await generateKeyPair();
  await w.writer.delegate({ name: "acme", keys: [team], paths: ACME }, [team]);
  const current = await w.role("acme");
  const mallory = await generateKeyPair();
  await w.forge("acme", { ...current, version: current.version + 1, targets: {} }, [mallory]);
  await assert.rejects(
    w.refresh(),
    (e) => e instanceof TrustError && /acme.*signed by 0\/1 keys/.test(e.message),
  );
  assert.equal(await w.client.read("acme.json"), undefined);
  assert.equal(await w.client.read("targets.json"), undefined, "targets are persisted only with their roles");
});

Deno.test("refreshTrust() refuses a delegated role's rollback, by snapshot and by its trusted copy", async () => {
  const w = await world();
  const team = await generateKeyPair();
  await w.writer.delegate({ name: "acme", keys: [team], paths: ACME }, [team]);
  const v1 = await w.role("acme");
  await w.publish("acme", [team], [app("acme/radio", "abc1234")]);
  await w.refresh();
  const v1Bytes = (await w.repo.get("tuf/1.acme.json"))!;
  // snapshot names the old version: the trusted snapshot's entry is newer
  const current = async (p: string) => decodeMetadata((await w.repo.get(p))!).signed as Signed;
  const snap = await w.snapshot();
  const ts = await current("tuf/timestamp.json");
  const snapshot = {
    ...snap,
    version: snap.version + 1,
    meta: { ...snap.meta, "acme.json": metaRef(1, v1Bytes) },
  };
  const snapBytes = encodeMetadata(await signEnvelope(snapshot, [w.keys.snapshot]));
  w.served.set(`tuf/${snapshot.version}.snapshot.json`, snapBytes);
  w.served.set(
    "tuf/timestamp.json",
    encodeMetadata(
      await signEnvelope({
        ...ts,
        version: ts.version + 1,
        meta: { "snapshot.json": metaRef(snapshot.version, snapBytes) },
      }, [
        w.keys.timestamp,
      ]),
    ),
  );
  await assert.rejects(
    w.refresh(),
    (e) => e instanceof TrustError && /acme\.json: version 1 is older than trusted version 2/.test(e.message),
  );
  // without a trusted snapshot, the trusted acme.json itself is the baseline
  await w.client.remove("snapshot.json");
  await w.client.remove("timestamp.json");
  await assert.rejects(
    w.refresh(),
    (e) =>
      e instanceof TrustError &&
      /role 'acme'.*version 1 is older than trusted version 2 \(rollback\)/.test(e.message),
  );
  assert.equal(decodeMetadata((await w.client.read("acme.json"))!).signed.version, 2);
  assert.equal(v1.version, 1);
});

Deno.test("refreshTrust() refuses a delegated app entry whose custom names another app than its path", async () => {
  const w = await world();
  const team = await generateKeyPair();
  await w.writer.delegate({ name: "acme", keys: [team], paths: ACME }, [team]);
  const theirs = app("other/radio", "abc1234");
  const current = await w.role("acme");
  await w.forge("acme", {
    ...current,
    version: current.version + 1,
    targets: { "apps/acme/radio/main/abc1234.tar.gz": theirs.target },
  }, [team]);
  await assert.rejects(
    w.refresh(),
    (e) => e instanceof TrustError && /delegated role 'acme'.*unsafe.*belongs at apps\/other/.test(e.message),
  );
});

Deno.test("refreshTrust() refuses an expired delegated role and more roles than maxDelegations", async () => {
  const w = await world();
  const [a, b] = [await generateKeyPair(), await generateKeyPair()];
  await w.writer.delegate({ name: "a", keys: [a], paths: ACME }, [a]);
  await w.writer.delegate({ name: "b", keys: [b], paths: ACME }, [b]);
  await assert.rejects(w.refresh({ maxDelegations: 1 }), /more than 1 delegated roles/);
  assert.deepEqual((await w.refresh()).delegatedVersions, { a: 1, b: 1 });
  const current = await w.role("b");
  await w.forge("b", { ...current, version: 2, expires: "2026-06-01T00:30:00Z" }, [b]);
  await assert.rejects(
    w.refresh(),
    (e) => e instanceof TrustError && /role 'b'.* v2: expired at 2026-06-01T00:30:00Z/.test(e.message),
  );
});
