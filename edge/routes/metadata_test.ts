import assert from "node:assert/strict";
import { join } from "node:path";
import { DEFAULT_CHUNKER } from "../../core/delta/mod.ts";
import { decodeMetadata, type KeyPair, signEnvelope } from "../../core/trust/mod.ts";
import { delegatedEdge, sha256Hex, TOKEN } from "../../test/edge/fixture.ts";
import { FsStorage } from "../storage/fs_storage.ts";

const auth = { authorization: `Bearer ${TOKEN}` };
const encoder = new TextEncoder();
const DIR = "apps/acme/radio/main";

/** An edge (real HTTP on 127.0.0.1) over the fixture repository, with a delegated role `acme`. */
async function setUp() {
  const dir = await Deno.makeTempDir({ prefix: "edge-delta-links-" });
  const storage = new FsStorage(join(dir, "data"));
  const { keys, team, app } = await delegatedEdge(storage);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  const base = `http://127.0.0.1:${server.addr.port}`;
  const json = async (path: string) =>
    decodeMetadata((await storage.get(path))!).signed as Record<string, unknown>;
  return {
    keys,
    team,
    base,
    /** The current version of `role`'s signed part (top-level targets or `acme`). */
    async current(role: "targets" | "acme") {
      const timestamp = await json("tuf/timestamp.json") as { meta: Record<string, { version: number }> };
      const snapshot = await json(`tuf/${timestamp.meta["snapshot.json"]!.version}.snapshot.json`) as {
        meta: Record<string, { version: number }>;
      };
      return await json(`tuf/${snapshot.meta[`${role}.json`]!.version}.${role}.json`);
    },
    async upload(bytes: Uint8Array) {
      const res = await fetch(`${base}/v1/targets/${await sha256Hex(bytes)}`, {
        method: "PUT",
        body: bytes as Uint8Array<ArrayBuffer>,
        headers: auth,
      });
      assert.ok(res.status === 201 || res.status === 200, await res.text());
    },
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

type Edge = Awaited<ReturnType<typeof setUp>>;

/** A release `commit` with its chunked form: the three blobs and the metadata entries that link them. */
async function release(commit: string) {
  const archive = encoder.encode(`release ${commit}\n`);
  const index = encoder.encode(`index of ${commit}\n`);
  const pack = encoder.encode(`pack of ${commit}, a little longer\n`);
  const entry = async (bytes: Uint8Array, custom: Record<string, unknown>) => ({
    length: bytes.length,
    hashes: { sha256: await sha256Hex(bytes) },
    custom,
  });
  const path = `${DIR}/${commit}.tar.gz`;
  const delta = {
    index: `${path}.cidx`,
    indexSha256: await sha256Hex(index),
    indexLength: index.length,
    pack: `${path}.cpack`,
    packSha256: await sha256Hex(pack),
    packLength: pack.length,
    chunker: { ...DEFAULT_CHUNKER },
  };
  const app = {
    kind: "app",
    name: "acme/radio",
    ref: "main",
    commit,
    serial: 1,
    updated: "2026-06-01T00:00:00Z",
    delta,
  };
  const entries: Record<string, Record<string, unknown>> = {
    [path]: await entry(archive, app),
    [delta.index]: await entry(index, { kind: "delta-index", of: path }),
    [delta.pack]: await entry(pack, { kind: "delta-pack", of: path }),
  };
  return { path, delta, entries, blobs: { archive, index, pack } };
}

/** POSTs `targets` as the next version of `role` (signed by `key`); status and parsed answer. */
async function publish(
  edge: Edge,
  role: "targets" | "acme",
  options: { targets: Record<string, unknown>; key: KeyPair },
) {
  const signed = await edge.current(role);
  const body = {
    ...signed,
    version: Number(signed.version) + 1,
    targets: { ...signed.targets as object, ...options.targets },
  };
  const query = role === "targets" ? "" : `?role=${role}`;
  const res = await fetch(`${edge.base}/v1/metadata${query}`, {
    method: "POST",
    body: JSON.stringify(await signEnvelope(body, [options.key])),
    headers: auth,
  });
  return { status: res.status, doc: await res.json() };
}

function assertRefused(
  answer: { status: number; doc: { error?: { code: string; message: string } } },
  message: RegExp,
) {
  assert.equal(answer.status, 409, JSON.stringify(answer.doc));
  assert.equal(answer.doc.error?.code, "E_DELTA_LINK");
  assert.match(answer.doc.error!.message, /^Cannot publish: /);
  assert.match(answer.doc.error!.message, message);
}

Deno.test("POST /v1/metadata accepts a release whose custom.delta links uploaded targets of the same metadata", async () => {
  await using edge = await setUp();
  const r = await release("aaaaaaa");
  for (const bytes of Object.values(r.blobs)) await edge.upload(bytes);
  const ok = await publish(edge, "targets", { targets: r.entries, key: edge.keys.targets });
  assert.equal(ok.status, 200, JSON.stringify(ok.doc));
  const pack = await fetch(`${edge.base}/targets/${DIR}/${r.delta.packSha256}.aaaaaaa.tar.gz.cpack`, {
    headers: { range: "bytes=5-9" },
  });
  assert.equal(pack.status, 206);
  assert.equal(pack.headers.get("content-range"), `bytes 5-9/${r.blobs.pack.length}`);
  assert.deepEqual(new Uint8Array(await pack.arrayBuffer()), r.blobs.pack.subarray(5, 10));
});

Deno.test("POST /v1/metadata refuses (409 E_DELTA_LINK) a custom.delta whose index or pack is not listed as linked", async () => {
  await using edge = await setUp();
  const r = await release("bbbbbbb");
  for (const bytes of Object.values(r.blobs)) await edge.upload(bytes);
  const before = await edge.current("targets");
  const withDelta = (delta: unknown) => ({
    ...r.entries,
    [r.path]: { ...r.entries[r.path], custom: { ...r.entries[r.path]!.custom as object, delta } },
  });
  const key = edge.keys.targets;
  const unlisted = { ...r.entries };
  delete unlisted[r.delta.pack];
  assertRefused(
    await publish(edge, "targets", { targets: unlisted, key }),
    /bbbbbbb\.tar\.gz links its delta pack .*\.cpack, which this metadata does not list as a target/,
  );
  assertRefused(
    await publish(edge, "targets", { targets: withDelta({ ...r.delta, packSha256: "0".repeat(64) }), key }),
    /links its delta pack .*\.cpack as \d+ bytes with sha256 0{64}, but this metadata lists it as \d+ bytes/,
  );
  assertRefused(
    await publish(edge, "targets", {
      targets: withDelta({ ...r.delta, indexLength: r.delta.indexLength + 1 }),
      key,
    }),
    /links its delta index .*\.cidx as \d+ bytes/,
  );
  assertRefused(
    await publish(edge, "targets", { targets: withDelta({ ...r.delta, index: "../escape.cidx" }), key }),
    /has a custom\.delta devices cannot read/,
  );
  assert.deepEqual(await edge.current("targets"), before, "nothing was published");
});

Deno.test("POST /v1/metadata refuses (409 E_DELTA_LINK) a linked pack that is not uploaded; a missing archive stays E_CONFLICT", async () => {
  await using edge = await setUp();
  const r = await release("ccccccc");
  const key = edge.keys.targets;
  await edge.upload(r.blobs.archive);
  await edge.upload(r.blobs.index);
  assertRefused(
    await publish(edge, "targets", { targets: r.entries, key }),
    /the chunked form .*ccccccc\.tar\.gz\.cpack that .*ccccccc\.tar\.gz links is not uploaded; upload it first/,
  );
  const other = await release("ddddddd");
  await edge.upload(other.blobs.index);
  await edge.upload(other.blobs.pack);
  const missing = await publish(edge, "targets", { targets: other.entries, key });
  assert.equal(missing.status, 409);
  assert.equal(missing.doc.error.code, "E_CONFLICT", "an unlinked target that is missing: the usual refusal");
  await edge.upload(r.blobs.pack);
  assert.equal((await publish(edge, "targets", { targets: r.entries, key })).status, 200);
});

Deno.test("POST /v1/metadata?role= refuses broken delta links of the role's own metadata, then accepts a whole release", async () => {
  await using edge = await setUp();
  const r = await release("eeeeeee");
  await edge.upload(r.blobs.archive);
  await edge.upload(r.blobs.pack);
  const unlisted = { ...r.entries };
  delete unlisted[r.delta.index];
  assertRefused(
    await publish(edge, "acme", { targets: unlisted, key: edge.team }),
    /links its delta index .*\.cidx, which this metadata does not list as a target/,
  );
  assertRefused(
    await publish(edge, "acme", { targets: r.entries, key: edge.team }),
    /the chunked form .*\.cidx that .* links is not uploaded/,
  );
  await edge.upload(r.blobs.index);
  const ok = await publish(edge, "acme", { targets: r.entries, key: edge.team });
  assert.equal(ok.status, 200, JSON.stringify(ok.doc));
  assert.equal(ok.doc.delegatedVersions.acme, 2);
});

Deno.test("POST /v1/metadata refuses (400) an app name longer than devices can name files after, as add-app does", async () => {
  await using edge = await setUp();
  const name = `${"o".repeat(48)}/${"a".repeat(48)}`;
  const archive = encoder.encode("release of a long name\n");
  await edge.upload(archive);
  const custom = {
    kind: "app",
    name,
    ref: "main",
    commit: "fffffff1",
    serial: 1,
    updated: "2026-06-01T00:00:00Z",
  };
  const path = `apps/${name}/main/fffffff1.tar.gz`;
  const entry = { length: archive.length, hashes: { sha256: await sha256Hex(archive) }, custom };
  const refused = await publish(edge, "targets", { targets: { [path]: entry }, key: edge.keys.targets });
  assert.equal(refused.status, 400, JSON.stringify(refused.doc));
  assert.match(
    refused.doc.error.message,
    /^Cannot publish: target 'apps\/o+\/a+\/main\/fffffff1\.tar\.gz' is unsafe \(Cannot use app name 'o+\/a+…': longer than 96 characters\)$/,
  );
  const shorter = name.slice(0, -1);
  const ok = await publish(edge, "targets", {
    targets: { [`apps/${shorter}/main/fffffff1.tar.gz`]: { ...entry, custom: { ...custom, name: shorter } } },
    key: edge.keys.targets,
  });
  assert.equal(ok.status, 200, JSON.stringify(ok.doc));
});
