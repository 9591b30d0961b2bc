import assert from "node:assert/strict";
import { TrustError } from "../errors.ts";
import { decodeMetadata, signEnvelope } from "./envelope.ts";
import { generateKeyPair } from "./key_pair.ts";
import { MemoryStore } from "./memory_store.ts";
import { RepositoryWriter, type RoleKeys } from "./repository_writer.ts";

const T0 = new Date("2026-06-01T00:00:00Z");
const ACME = ["apps/acme/*/*/*"];
// deno-lint-ignore no-explicit-any
type Signed = any;
const radio = (commit: string, serial: number) => ({
  length: 3,
  hashes: { sha256: commit.padEnd(64, "0"), sha1: "a".repeat(40) },
  custom: {
    kind: "app" as const,
    name: "acme/radio",
    ref: "main",
    commit,
    serial,
    updated: "2026-06-01T00:00:00Z",
  },
});

async function setup() {
  const keys: RoleKeys = {
    root: await generateKeyPair(),
    targets: await generateKeyPair(),
    snapshot: await generateKeyPair(),
    timestamp: await generateKeyPair(),
  };
  const store = new MemoryStore();
  const writer = await RepositoryWriter.init(store, keys, { now: T0 });
  const team = await generateKeyPair();
  await writer.delegate({ name: "acme", keys: [team], paths: ACME, terminating: true }, [team]);
  const online = { snapshot: keys.snapshot, timestamp: keys.timestamp };
  const signedOf = async (path: string): Promise<Signed> => decodeMetadata((await store.get(path))!).signed;
  const snapshot = async () =>
    signedOf(`tuf/${(await signedOf("tuf/timestamp.json")).meta["snapshot.json"].version}.snapshot.json`);
  return { keys, store, writer, team, online, signedOf, snapshot };
}

Deno.test("RepositoryWriter.delegate() lists the role in targets, signs its v1, and commits keep the delegation", async () => {
  const s = await setup();
  assert.deepEqual(s.writer.versions, { root: 1, targets: 2, snapshot: 2, timestamp: 2 });
  assert.deepEqual(s.writer.delegatedVersions, { acme: 1 });
  const targets = await s.signedOf("tuf/2.targets.json");
  assert.deepEqual(targets.delegations.roles, [
    { name: "acme", keyids: [s.team.keyid], threshold: 1, terminating: true, paths: ACME },
  ]);
  assert.deepEqual(Object.keys(targets.delegations.keys), [s.team.keyid]);
  assert.deepEqual((await s.signedOf("tuf/1.acme.json")).targets, {});
  assert.equal((await s.snapshot()).meta["acme.json"].version, 1);

  s.writer.setTarget("device-types.json", {
    length: 2,
    hashes: { sha256: "ab".repeat(32) },
    custom: { kind: "device-types" },
  });
  await s.writer.commit();
  assert.equal((await s.signedOf("tuf/3.targets.json")).delegations.roles[0].name, "acme");
  await s.writer.renewTimestamp();
  assert.equal((await s.snapshot()).meta["acme.json"].version, 1, "snapshot keeps listing the role");
  await assert.rejects(
    s.writer.delegate({ name: "a/b", keys: [s.team], paths: ACME }, [s.team]),
    TypeError,
  );
  await assert.rejects(
    s.writer.delegate({ name: "two", keys: [s.team], threshold: 2, paths: ACME }, [s.team]),
    RangeError,
  );
});

Deno.test("RepositoryWriter opened for a role signs with the role key only, within its paths; releases.json lists it", async () => {
  const s = await setup();
  const w = await RepositoryWriter.open(s.store, s.online, {
    now: T0,
    role: { name: "acme", keys: [s.team] },
  });
  assert.throws(
    () => w.setTarget("apps/other/radio/main/abc1234.tar.gz", radio("abc1234", 1)),
    /delegated apps\/acme/,
  );
  assert.throws(() => w.assertMaySet("apps/other/radio/main/abc1234.tar.gz"), RangeError, "asked first");
  assert.throws(() => w.assertMaySet("../escape"), TypeError);
  w.assertMaySet("apps/acme/radio/main/abc1234.tar.gz");
  assert.equal(w.targets().size, 0, "asking sets nothing");
  w.setTarget("apps/acme/radio/main/abc1234.tar.gz", radio("abc1234", 1));
  await w.commit();
  assert.deepEqual(w.delegatedVersions, { acme: 2 });
  assert.equal(w.versions.targets, 2, "top-level targets untouched");
  assert.equal(w.resolvedTargets().get("apps/acme/radio/main/abc1234.tar.gz")?.custom.kind, "app");
  const releases = JSON.parse(new TextDecoder().decode((await s.store.get("releases.json"))!));
  assert.equal(releases["acme/radio"].main.commit, "abc1234");

  await assert.rejects(
    RepositoryWriter.open(s.store, s.online, { role: { name: "acme", keys: [s.keys.targets] } }),
    /not a key of role 'acme'/,
  );
  await assert.rejects(
    RepositoryWriter.open(s.store, s.online, { role: { name: "nope", keys: [s.team] } }),
    /no delegated role/,
  );
});

Deno.test("RepositoryWriter.acceptDelegated() refuses rollback, paths outside the role, and strangers' signatures", async () => {
  const s = await setup();
  const v1 = await s.signedOf("tuf/1.acme.json");
  const next = (targets: Record<string, unknown>, version = 2) => ({ ...v1, version, targets });
  const inside = { "apps/acme/radio/main/abc1234.tar.gz": radio("abc1234", 1) };
  await assert.rejects(
    s.writer.acceptDelegated(
      "acme",
      await signEnvelope(next({ "apps/x/y/main/abc1234.tar.gz": radio("abc1234", 1) }), [s.team]),
    ),
    (e) => e instanceof TrustError && /outside its delegated paths/.test(e.message),
  );
  await assert.rejects(
    s.writer.acceptDelegated("acme", await signEnvelope(next(inside), [await generateKeyPair()])),
    (e) => e instanceof TrustError && /signed by 0\/1 keys/.test(e.message),
  );
  await assert.rejects(
    s.writer.acceptDelegated("acme", await signEnvelope(next(inside, 1), [s.team])),
    /rollback/,
  );
  await assert.rejects(
    s.writer.acceptDelegated("other", await signEnvelope(next(inside), [s.team])),
    /no role delegates/,
  );
  const { versions } = await s.writer.acceptDelegated("acme", await signEnvelope(next(inside), [s.team]));
  assert.equal(versions.snapshot, 3);
  assert.equal((await s.snapshot()).meta["acme.json"].version, 2);
});

Deno.test("RepositoryWriter.acceptTargets() refuses targets delegating to a role without metadata", async () => {
  const s = await setup();
  const current = await s.signedOf("tuf/2.targets.json");
  const signed = {
    ...current,
    version: 3,
    delegations: {
      ...current.delegations,
      roles: [...current.delegations.roles, { ...current.delegations.roles[0], name: "ghost" }],
    },
  };
  await assert.rejects(
    s.writer.acceptTargets(await signEnvelope(signed, [s.keys.targets])),
    (e) => e instanceof TrustError && /'ghost', which has no metadata/.test(e.message),
  );
});

Deno.test("RepositoryWriter keeps a role no longer delegated listed in snapshot, and still opens the repository", async () => {
  const s = await setup();
  const current = await s.signedOf("tuf/2.targets.json");
  const { delegations: _, ...withoutDelegations } = current;
  await s.writer.acceptTargets(await signEnvelope({ ...withoutDelegations, version: 3 }, [s.keys.targets]));
  const reopened = await RepositoryWriter.open(s.store, s.keys, { now: T0 });
  assert.deepEqual(reopened.delegatedVersions, { acme: 1 });
  assert.equal(
    (await s.snapshot()).meta["acme.json"].version,
    1,
    "clients refuse a snapshot that drops an entry",
  );
  await assert.rejects(
    RepositoryWriter.open(s.store, s.online, { role: { name: "acme", keys: [s.team] } }),
    /no delegated role 'acme'/,
  );
});
