/**
 * Attacks at the metadata level (TUF threat model) against refreshTrust: each test plays the
 * attacker on a repository built by RepositoryWriter and checks the client refuses, with a
 * TrustError naming the problem, and that nothing unverified reaches the client's store.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  decodeMetadata,
  encodeMetadata,
  type Envelope,
  generateKeyPair,
  type KeyPair,
  keyToTuf,
  MemoryStore,
  refreshTrust,
  type RefreshTrustOptions,
  RepositoryWriter,
  type RoleKeys,
  signEnvelope,
} from "../../core/trust/mod.ts";
import { NotFoundError, TrustError } from "../../core/errors.ts";

const T0 = new Date("2026-06-01T00:00:00Z");
const hours = (h: number) => new Date(T0.getTime() + h * 3_600_000);

// deno-lint-ignore no-explicit-any
type Signed = any;

interface World {
  keys: RoleKeys;
  repo: MemoryStore;
  writer: RepositoryWriter;
  client: MemoryStore;
  rootV1: Uint8Array;
  /** Paths the attacker serves instead of the repository's files. */
  served: Map<string, Uint8Array>;
  fetched: { path: string; max: number }[];
  refresh(options?: Partial<RefreshTrustOptions>): ReturnType<typeof refreshTrust>;
  read(path: string): Promise<Envelope<Signed>>;
}

async function world(): Promise<World> {
  const keys: RoleKeys = {
    root: await generateKeyPair(),
    targets: await generateKeyPair(),
    snapshot: await generateKeyPair(),
    timestamp: await generateKeyPair(),
  };
  const repo = new MemoryStore();
  const writer = await RepositoryWriter.init(repo, keys, { now: T0 });
  writer.setTarget("device-types.json", {
    length: 2,
    hashes: { sha256: sha256(new Uint8Array(2)) },
    custom: { kind: "device-types" },
  });
  await writer.commit();
  const served = new Map<string, Uint8Array>();
  const fetched: { path: string; max: number }[] = [];
  const client = new MemoryStore();
  const rootV1 = (await repo.get("tuf/1.root.json"))!;
  return {
    keys,
    repo,
    writer,
    client,
    rootV1,
    served,
    fetched,
    refresh: (options) =>
      refreshTrust({
        fetch: async (path, max) => {
          fetched.push({ path, max });
          return served.get(path) ?? await repo.get(path);
        },
        store: client,
        trustedRoot: rootV1,
        now: hours(1),
        ...options,
      }),
    read: async (path) => decodeMetadata((await repo.get(path))!) as Envelope<Signed>,
  };
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function ref(version: number, bytes: Uint8Array) {
  return { version, length: bytes.length, hashes: { sha256: sha256(bytes) } };
}

/** Re-sign `signed` with `keys` and encode. */
async function forge(signed: Signed, keys: KeyPair[]): Promise<Uint8Array> {
  return encodeMetadata(await signEnvelope(signed, keys));
}

/** Serve new snapshot + timestamp (signed with `keys`) over targets bytes `targets`. */
async function chain(
  w: World,
  targets: Uint8Array,
  opts: { snapshotKeys?: KeyPair[]; timestampKeys?: KeyPair[] } = {},
) {
  const t = decodeMetadata(targets).signed as Signed;
  const current = async (path: string) =>
    decodeMetadata(w.served.get(path) ?? (await w.repo.get(path))!).signed as Signed;
  const ts = await current("tuf/timestamp.json");
  const snap = await current(`tuf/${ts.meta["snapshot.json"].version}.snapshot.json`);
  const snapshot = { ...snap, version: snap.version + 1, meta: { "targets.json": ref(t.version, targets) } };
  const snapBytes = await forge(snapshot, opts.snapshotKeys ?? [w.keys.snapshot]);
  const timestamp = {
    ...ts,
    version: ts.version + 1,
    meta: { "snapshot.json": ref(snapshot.version, snapBytes) },
  };
  w.served.set(`tuf/${t.version}.targets.json`, targets);
  w.served.set(`tuf/${snapshot.version}.snapshot.json`, snapBytes);
  w.served.set("tuf/timestamp.json", await forge(timestamp, opts.timestampKeys ?? [w.keys.timestamp]));
}

async function refused(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof TrustError, `expected TrustError, got ${e}`);
    assert.match(e.message, pattern);
    return true;
  });
}

Deno.test("refreshTrust accepts the untouched repository (baseline for the attacks below)", async () => {
  const w = await world();
  const trusted = await w.refresh();
  assert.deepEqual(trusted.versions, { root: 1, targets: 2, snapshot: 2, timestamp: 2 });
  assert.deepEqual(w.client.paths(), ["root.json", "snapshot.json", "targets.json", "timestamp.json"]);
});

Deno.test("attack: timestamp signed by an unknown key is refused (signed by 0/1 keys)", async () => {
  const w = await world();
  const ts = (await w.read("tuf/timestamp.json")).signed;
  w.served.set(
    "tuf/timestamp.json",
    await forge({ ...ts, version: ts.version + 1 }, [await generateKeyPair()]),
  );
  await refused(w.refresh(), /timestamp metadata: signed by 0\/1 keys/);
  assert.equal(await w.client.read("timestamp.json"), undefined, "nothing unverified persisted");
});

Deno.test("attack: targets signed by another role's key (snapshot key) is refused", async () => {
  const w = await world();
  const t = (await w.read("tuf/2.targets.json")).signed;
  t.targets["evil.json"] = {
    length: 1,
    hashes: { sha256: "ab".repeat(32) },
    custom: { kind: "manifest", id: "evil" },
  };
  await chain(w, await forge({ ...t, version: 3 }, [w.keys.snapshot]));
  await refused(w.refresh(), /targets metadata: signed by 0\/1 keys/);
});

Deno.test("attack: a signature repeated under the same keyid counts once (threshold short by one)", async () => {
  const w = await world();
  const t2 = await generateKeyPair();
  const root = (await w.read("tuf/1.root.json")).signed;
  root.keys[t2.keyid] = keyToTuf(t2);
  root.roles.targets = { keyids: [w.keys.targets.keyid, t2.keyid], threshold: 2 };
  w.served.set("tuf/2.root.json", await forge({ ...root, version: 2 }, [w.keys.root]));
  const t = (await w.read("tuf/2.targets.json")).signed;
  const env = await signEnvelope({ ...t, version: 3 }, [w.keys.targets]);
  env.signatures.push({ ...env.signatures[0]! }); // same key twice: decodes, must not count twice
  await chain(w, encodeMetadata(env));
  await refused(w.refresh(), /Cannot parse targets metadata: multiple signatures|signed by 1\/2 keys/);
  // and a single valid signature of a 2-of-2 role is one short
  await chain(w, await forge({ ...t, version: 3 }, [w.keys.targets]));
  await refused(w.refresh(), /targets metadata: signed by 1\/2 keys/);
  // with both keys it passes
  await chain(w, await forge({ ...t, version: 3 }, [w.keys.targets, t2]));
  assert.equal((await w.refresh()).versions.targets, 3);
});

Deno.test("attack: timestamp rollback to an older version is refused", async () => {
  const w = await world();
  const old = (await w.repo.get("tuf/timestamp.json"))!;
  await w.writer.renewTimestamp();
  assert.equal((await w.refresh()).versions.timestamp, 3);
  w.served.set("tuf/timestamp.json", old);
  await refused(w.refresh(), /timestamp: version 2 is older than trusted version 3 \(rollback\)/);
});

Deno.test("attack: timestamp pointing at an older snapshot is refused (snapshot rollback)", async () => {
  const w = await world();
  await w.writer.commit();
  await w.refresh(); // trusts snapshot v3
  const ts = (await w.read("tuf/timestamp.json")).signed;
  const snap2 = (await w.repo.get("tuf/2.snapshot.json"))!;
  w.served.set(
    "tuf/timestamp.json",
    await forge({ ...ts, version: ts.version + 1, meta: { "snapshot.json": ref(2, snap2) } }, [
      w.keys.timestamp,
    ]),
  );
  await refused(w.refresh(), /snapshot \(in timestamp\): version 2 is older than trusted version 3/);
});

Deno.test("attack: snapshot listing an older targets version is refused (targets rollback)", async () => {
  const w = await world();
  await w.writer.commit();
  await w.refresh(); // trusts targets v3
  await chain(w, (await w.repo.get("tuf/2.targets.json"))!);
  await refused(w.refresh(), /targets\.json: version 2 is older than trusted version 3 \(rollback\)/);
});

Deno.test("attack: freeze — expired timestamp, snapshot, targets or root is refused at the one fixed now", async () => {
  const w = await world();
  await refused(w.refresh({ now: hours(25) }), /timestamp metadata v2: expired/);
  await w.writer.renewTimestamp(); // signed at T0: still expires at T0 + 1 day
  await refused(w.refresh({ now: hours(24) }), /timestamp metadata v3: expired/);
  // fresh timestamp, stale snapshot (7 days): a timestamp signer without the snapshot key cannot renew it
  const fresh = await RepositoryWriter.open(w.repo, { timestamp: w.keys.timestamp }, {
    now: hours(24 * 8 - 1),
  });
  await fresh.renewTimestamp();
  await refused(w.refresh({ now: hours(24 * 8) }), /snapshot metadata v2: expired/);
  // root (365 days) expired after the chain walk
  const late = await world();
  await refused(late.refresh({ now: hours(24 * 366) }), /root metadata v1: expired/);
  assert.equal(await w.client.read("snapshot.json"), undefined);
});

Deno.test("attack: mix-and-match — snapshot or targets bytes of another version are refused by hash/length", async () => {
  const w = await world();
  await w.writer.commit(); // snapshot v3, targets v3
  w.served.set("tuf/3.snapshot.json", (await w.repo.get("tuf/2.snapshot.json"))!);
  await refused(w.refresh(), /Cannot trust tuf\/3\.snapshot\.json: (length|sha256)/);
  w.served.clear();
  // a validly signed targets v3 with different content (an emptied target list) under v3's name
  const t = (await w.read("tuf/2.targets.json")).signed;
  w.served.set("tuf/3.targets.json", await forge({ ...t, version: 3, targets: {} }, [w.keys.targets]));
  await refused(w.refresh(), /Cannot trust tuf\/3\.targets\.json: (length|sha256)/);
});

/** Serve timestamp v+1 whose snapshot reference lists `hashes` (signed with the timestamp key). */
async function timestampListing(w: World, hashes: (snapshot: Uint8Array) => Record<string, string>) {
  const served = w.served.get("tuf/timestamp.json");
  const ts = served ? decodeMetadata(served).signed as Signed : (await w.read("tuf/timestamp.json")).signed;
  const version = ts.meta["snapshot.json"].version;
  const snapshot = (await w.repo.get(`tuf/${version}.snapshot.json`))!;
  const meta = { "snapshot.json": { version, length: snapshot.length, hashes: hashes(snapshot) } };
  w.served.set(
    "tuf/timestamp.json",
    await forge({ ...ts, version: ts.version + 1, meta }, [w.keys.timestamp]),
  );
}

const digest = (algorithm: string, bytes: Uint8Array) => createHash(algorithm).update(bytes).digest("hex");

Deno.test("metadata hashes: every listed sha256/sha384/sha512 is checked; a wrong sha384 alone is refused", async () => {
  const w = await world();
  await timestampListing(w, () => ({ sha384: "00".repeat(48) }));
  await refused(w.refresh(), /Cannot trust tuf\/2\.snapshot\.json: sha384 mismatch/);
  assert.equal(await w.client.read("snapshot.json"), undefined, "the snapshot is never persisted");
  await timestampListing(w, (b) => ({ sha256: digest("sha256", b), sha512: "00".repeat(64) }));
  await refused(w.refresh(), /sha512 mismatch/);
  assert.equal(await w.client.read("snapshot.json"), undefined);
  await timestampListing(
    w,
    (b) => ({ sha384: digest("sha384", b), sha512: digest("sha512", b), blake2b: "00" }),
  );
  assert.equal((await w.refresh()).versions.snapshot, 2, "right sha384 and sha512, an unknown one ignored");
});

Deno.test("metadata hashes: a reference listing only algorithms Drover cannot compute is refused, not persisted", async () => {
  const w = await world();
  await timestampListing(w, (b) => ({ "unknown-hash": digest("sha256", b) }));
  await refused(
    w.refresh(),
    /snapshot\.json \(in timestamp\): no hash Drover can check \(listed: unknown-hash;/,
  );
  assert.deepEqual(w.client.paths(), ["root.json"], "neither that timestamp nor the snapshot is kept");
  await timestampListing(w, () => ({}));
  await refused(w.refresh(), /no hash Drover can check \(listed: none;/);
  // the same in snapshot metadata, for targets.json
  const w2 = await world();
  const targets = (await w2.repo.get("tuf/2.targets.json"))!;
  const snap = (await w2.read("tuf/2.snapshot.json")).signed;
  const meta = {
    "targets.json": { version: 2, hashes: { md5: createHash("md5").update(targets).digest("hex") } },
  };
  const snapBytes = await forge({ ...snap, version: 3, meta }, [w2.keys.snapshot]);
  const ts = (await w2.read("tuf/timestamp.json")).signed;
  w2.served.set("tuf/3.snapshot.json", snapBytes);
  w2.served.set(
    "tuf/timestamp.json",
    await forge({ ...ts, version: 3, meta: { "snapshot.json": ref(3, snapBytes) } }, [w2.keys.timestamp]),
  );
  await refused(w2.refresh(), /targets\.json \(in snapshot\): no hash Drover can check/);
  assert.equal(await w2.client.read("snapshot.json"), undefined);
});

Deno.test("attack: target bytes with the wrong hash or length are refused with IntegrityError", async () => {
  const w = await world();
  const trusted = await w.refresh();
  assert.deepEqual(trusted.verifyTarget("device-types.json", new Uint8Array(2)).path, "device-types.json");
  assert.throws(() => trusted.verifyTarget("device-types.json", new Uint8Array([0, 1])), {
    code: "E_INTEGRITY",
  });
  assert.throws(() => trusted.verifyTarget("device-types.json", new Uint8Array(3)), { code: "E_INTEGRITY" });
});

Deno.test("attack: endless data — metadata over the cap is refused and the cap is passed to the fetcher", async () => {
  const w = await world();
  const endless = new Uint8Array(16 * 1024 + 1).fill(0x20);
  w.served.set("tuf/timestamp.json", endless);
  await refused(w.refresh(), /Cannot fetch tuf\/timestamp\.json: more than the 16384-byte cap/);
  assert.deepEqual(w.fetched.find((f) => f.path === "tuf/timestamp.json")?.max, 16 * 1024);
  assert.equal(w.fetched.find((f) => f.path === "tuf/2.root.json")?.max, 512 * 1024);
  w.served.clear();
  w.fetched.length = 0;
  await w.refresh();
  const snap = w.fetched.find((f) => f.path === "tuf/2.snapshot.json")!;
  assert.equal(
    snap.max,
    (await w.repo.get("tuf/2.snapshot.json"))!.length,
    "snapshot capped at the length timestamp gives",
  );
  await refused(
    w.refresh({ maxLength: { timestamp: 100 } }),
    /tuf\/timestamp\.json: more than the 100-byte cap/,
  );
});

Deno.test("root rotation: clients walk 1 -> 2 -> 3 through a timestamp-key and a root-key rotation", async () => {
  const w = await world();
  await w.refresh();
  const oldTsKey = w.keys.timestamp;
  await w.writer.rotateKey("timestamp", await generateKeyPair());
  await w.writer.rotateKey("root", await generateKeyPair());
  const trusted = await w.refresh();
  assert.equal(trusted.versions.root, 3);
  assert.equal(decodeMetadata((await w.client.read("root.json"))!).signed.version, 3);
  // the old timestamp key no longer counts
  const ts = (await w.read("tuf/timestamp.json")).signed;
  w.served.set("tuf/timestamp.json", await forge({ ...ts, version: ts.version + 1 }, [oldTsKey]));
  await refused(w.refresh(), /timestamp metadata: signed by 0\/1 keys/);
});

Deno.test("bad root rotation: new root not signed by the old root key, or not by its own keys, is refused", async () => {
  const w = await world();
  const root = (await w.read("tuf/1.root.json")).signed;
  const newKey = await generateKeyPair();
  const v2 = {
    ...root,
    version: 2,
    keys: { ...root.keys, [newKey.keyid]: keyToTuf(newKey) },
    roles: { ...root.roles, root: { keyids: [newKey.keyid], threshold: 1 } },
  };
  w.served.set("tuf/2.root.json", await forge(v2, [newKey]));
  await refused(w.refresh(), /root v2 \(by root v1\): signed by 0\/1 keys/);
  w.served.set("tuf/2.root.json", await forge(v2, [w.keys.root]));
  await refused(w.refresh(), /root v2 \(by itself\): signed by 0\/1 keys/);
  w.served.set("tuf/2.root.json", await forge({ ...root, version: 5 }, [w.keys.root]));
  await refused(w.refresh(), /2\.root\.json has version 5/);
  assert.equal(
    decodeMetadata((await w.client.read("root.json"))!).signed.version,
    1,
    "trusted root unchanged",
  );
});

Deno.test("refreshTrust refuses without a trusted root and on malformed metadata; no metadata is not found", async () => {
  const w = await world();
  await refused(w.refresh({ trustedRoot: undefined }), /no trusted root/);
  w.served.set("tuf/timestamp.json", new TextEncoder().encode("{not json"));
  await refused(w.refresh(), /Cannot parse timestamp metadata/);
  // withheld (or a mistyped URL): nothing to verify, so nothing refused or trusted, and nothing persisted
  const none = await world();
  await assert.rejects(none.refresh({ fetch: () => Promise.resolve(undefined) }), (e: unknown) => {
    assert.ok(e instanceof NotFoundError, `expected NotFoundError, got ${e}`);
    assert.match(e.message, /timestamp\.json not found/);
    return true;
  });
  assert.deepEqual(none.client.paths(), ["root.json"]);
});
