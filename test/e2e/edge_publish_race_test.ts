/**
 * End to end: concurrent publishes of one targets version. Two `deno task start` edges on one data
 * directory (each takes the directory's lock, `<data>/.lock`), and the Worker in workerd (its R2
 * lease): of two `POST /v1/metadata` of the same version, one is accepted and the other refused with
 * 409 `E_STALE`, and the repository keeps exactly the accepted one. Also: two `R2Storage`s on one
 * miniflare bucket (two isolates) take the lease in turn, and the Deno edge waits for `drover-repo`'s
 * lock on the same directory.
 */
import assert from "node:assert/strict";
import { Miniflare } from "miniflare";
import { MemoryStore, refreshTrust, signEnvelope } from "../../core/trust/mod.ts";
import type { KeyPair } from "../../core/trust/mod.ts";
import { acquireLock } from "../../device/fs/lock.ts";
import { FsStorage } from "../../edge/storage/fs_storage.ts";
import { type R2BucketLike, R2Storage } from "../../edge/storage/r2_storage.ts";
import { writeKeys } from "../../edge/key_files.ts";
import { startDenoEdge } from "../edge/deno_child.ts";
import { startWorkerEdge } from "../edge/worker_harness.ts";
import { fixtureKeys, sha256Hex, TOKEN, writeFixture } from "../edge/fixture.ts";

const auth = { authorization: `Bearer ${TOKEN}` };
type Fetch = (path: string, init?: RequestInit) => Promise<Response>;

async function currentTargets(fetchAt: Fetch): Promise<Record<string, unknown>> {
  const get = async (path: string) => await (await fetchAt(path)).json();
  const ts = await get("/tuf/timestamp.json");
  const snapshot = await get(`/tuf/${ts.signed.meta["snapshot.json"].version}.snapshot.json`);
  return (await get(`/tuf/${snapshot.signed.meta["targets.json"].version}.targets.json`)).signed;
}

/** Uploads an app archive and returns targets metadata one version up that adds it as `commit`. */
async function nextTargets(fetchAt: Fetch, key: KeyPair, commit: string): Promise<string> {
  const bytes = new TextEncoder().encode(`release ${commit}\n`);
  const sha256 = await sha256Hex(bytes);
  const put = await fetchAt(`/v1/targets/${sha256}`, { method: "PUT", body: bytes, headers: auth });
  assert.ok(put.status === 201 || put.status === 200, await put.text());
  const signed = await currentTargets(fetchAt);
  const entry = {
    length: bytes.length,
    hashes: { sha256 },
    custom: {
      kind: "app",
      name: "acme/race",
      ref: "main",
      commit,
      serial: 1,
      updated: "2026-11-01T00:00:00Z",
      extraHashes: { sha1: "0".repeat(40) },
    },
  };
  const next = {
    ...signed,
    version: Number(signed.version) + 1,
    targets: { ...signed.targets as object, [`apps/acme/race/main/${commit}.tar.gz`]: entry },
  };
  return JSON.stringify(await signEnvelope(next, [key]));
}

/** Posts `bodies` at once (the i-th to `targets[i]`); returns statuses and error codes. */
async function race(targets: Fetch[], bodies: string[]) {
  return await Promise.all(bodies.map(async (body, i) => {
    const res = await targets[i % targets.length]!("/v1/metadata", {
      method: "POST",
      body,
      headers: { ...auth, "content-type": "application/json" },
    });
    const doc = await res.json();
    return { status: res.status, code: doc.error?.code as string | undefined };
  }));
}

/** Races two publishes of one version `rounds` times; checks one 200 and one 409 each, and what was kept. */
async function raceRounds(targets: Fetch[], key: KeyPair, rounds: number) {
  for (let round = 0; round < rounds; round++) {
    const a = `a${round}`.padEnd(7, "a"), b = `b${round}`.padEnd(7, "b");
    const bodies = [await nextTargets(targets[0]!, key, a), await nextTargets(targets[0]!, key, b)];
    const version = JSON.parse(bodies[0]!).signed.version;
    const results = await race(targets, bodies);
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 409], `round ${round}: ${JSON.stringify(results)}`);
    assert.equal(results.find((r) => r.status === 409)!.code, "E_STALE");
    const winner = results[0]!.status === 200 ? a : b;
    const kept = await currentTargets(targets[1 % targets.length]!);
    assert.equal(kept.version, version);
    const paths = Object.keys(kept.targets as object).filter((p) => p.startsWith("apps/acme/race/"));
    assert.ok(paths.includes(`apps/acme/race/main/${winner}.tar.gz`), "the accepted release is kept");
    assert.ok(!paths.some((p) => p.includes(winner === a ? b : a)), "the refused one is not");
  }
}

Deno.test("two Deno edges on one directory: of two publishes of one version, one 200 and one 409, nothing lost", async () => {
  const dir = await Deno.makeTempDir({ prefix: "edge-race-" });
  try {
    const keys = await fixtureKeys();
    await writeFixture(new FsStorage(dir), keys);
    await writeKeys(`${dir}/keys`, keys);
    const env = { DROVER_TOKEN: TOKEN };
    const [one, two] = await Promise.all([startDenoEdge(dir, env), startDenoEdge(dir, env)]);
    try {
      const targets = [one, two].map((edge): Fetch => (path, init) => fetch(edge.url + path, init));
      await raceRounds(targets, keys.targets, 4).catch((e) => {
        console.error(one.log(), two.log());
        throw e;
      });
      // the directory is a consistent repository a device refreshes from
      const trusted = await refreshTrust({
        fetch: (path) => Deno.readFile(`${dir}/${path}`).catch(() => undefined),
        store: new MemoryStore(),
        trustedRoot: await Deno.readFile(`${dir}/tuf/1.root.json`),
      });
      assert.equal(trusted.apps().filter((t) => t.path.startsWith("apps/acme/race/")).length, 4);
      // drover-repo's lock on the same directory holds a publish back until it is released
      const lock = await acquireLock(`${dir}/.lock`);
      const body = await nextTargets(targets[0]!, keys.targets, "ccccccc");
      const posted = race([targets[0]!], [body]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal((await currentTargets(targets[0]!)).version, JSON.parse(body).signed.version - 1);
      await lock.release();
      assert.deepEqual((await posted).map((r) => r.status), [200]);
    } finally {
      await Promise.all([one.stop(), two.stop()]);
    }
    await assert.rejects(Deno.stat(`${dir}/.lock`), "no lock left behind");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the Worker in workerd: of two publishes of one version, one 200 and one 409 (R2 lease)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "edge-race-worker-" });
  try {
    const keys = await fixtureKeys();
    const repository = new FsStorage(`${dir}/repo`);
    await writeFixture(repository, keys);
    const edge = await startWorkerEdge(dir, {
      repository,
      bindings: {
        DROVER_TOKEN: TOKEN,
        DROVER_SNAPSHOT_KEY: JSON.stringify(keys.snapshot),
        DROVER_TIMESTAMP_KEY: JSON.stringify(keys.timestamp),
      },
    });
    try {
      await raceRounds([(path, init) => fetch(edge.url + path, init)], keys.targets, 3);
    } finally {
      await edge.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("two R2Storages on one miniflare bucket (two isolates) hold the lease in turn; a dead holder's expires", async () => {
  const mf = new Miniflare({
    modules: true,
    script: "export default { fetch() { return new Response('') } }",
    r2Buckets: ["BUCKET"],
  });
  try {
    const bucket = await mf.getR2Bucket("BUCKET") as unknown as R2BucketLike;
    const [a, b] = [new R2Storage(bucket), new R2Storage(bucket)];
    const order: string[] = [];
    const held = await a.lock();
    const waiting = b.lock({ waitMs: 5000 }).then((lock) => (order.push("b"), lock));
    await new Promise((resolve) => setTimeout(resolve, 200));
    order.push("a releases");
    await held.release();
    const second = await waiting;
    assert.deepEqual(order, ["a releases", "b"]);
    await assert.rejects(a.lock({ waitMs: 100 }), (e: Error) => /another publish holds it/.test(e.message));
    await second.release();
    // a lease whose holder died (past its time) is taken over
    await bucket.put(".lock", new TextEncoder().encode(JSON.stringify({ owner: "gone", until: 0 })));
    const taken = await a.lock({ waitMs: 0 });
    await taken.release();
    assert.equal(await bucket.head(".lock"), null, "released");
  } finally {
    await mf.dispose();
  }
});
