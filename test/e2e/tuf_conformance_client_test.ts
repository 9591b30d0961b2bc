/**
 * scripts/tuf_conformance_client.ts (the tuf-conformance suite's client protocol on core/trust)
 * against repositories made here and served over HTTP on 127.0.0.1: Drover's own (RepositoryWriter),
 * and hand-built ones with ECDSA and RSA-PSS keys, a 2-of-3 threshold over mixed key types,
 * `consistent_snapshot: false`, and targets listing only sha512 or an unknown algorithm.
 */
import assert from "node:assert/strict";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generateKeyPair, RepositoryWriter, type RoleKeys } from "../../core/trust/mod.ts";
import { FsRepoStore } from "../../scripts/repo/fs_repo_store.ts";
import { runConformanceClient } from "../../scripts/tuf_conformance_client.ts";
import { ROOT, tempDir } from "../harness.ts";
import { ecdsaSigner, ed25519Signer, rsaSigner, TufFixture } from "../tuf_fixture.ts";
import { serveStatic } from "./static_server.ts";

const text = (s: string) => new TextEncoder().encode(s);

/** A client bound to a served repository: `run(["refresh"])` etc. with its directories filled in. */
async function client(repo: TufFixture | { dir: string; root: Uint8Array }) {
  const tmp = await tempDir("conformance-");
  const served = tmp.join("repo");
  if (repo instanceof TufFixture) await repo.writeTo(served);
  const server = serveStatic(repo instanceof TufFixture ? served : repo.dir);
  const rootFile = tmp.join("root.json");
  await writeFile(rootFile, repo instanceof TufFixture ? repo.trustedRoot : repo.root);
  let err = "";
  const md = ["--metadata-dir", tmp.join("metadata")];
  const url = ["--metadata-url", new URL("tuf", server.url).href];
  const run = (args: string[]) => {
    err = "";
    return runConformanceClient(args, { stdout: () => {}, stderr: (t) => (err += t) });
  };
  return {
    tmp,
    server,
    get stderr() {
      return err;
    },
    init: () => run([...md, "init", rootFile]),
    refresh: () => run([...md, ...url, "refresh"]),
    download: (...names: string[]) =>
      run([
        ...md,
        ...url,
        ...names.flatMap((n) => ["--target-name", n]),
        "--target-base-url",
        new URL("targets/", server.url).href,
        "--target-dir",
        tmp.join("downloads"),
        "download",
      ]),
    /** The downloaded files' contents, sorted by name. */
    downloads: async () => {
      const names = (await readdir(tmp.join("downloads")).catch(() => [])).sort();
      return Promise.all(
        names.map(async (n) => new TextDecoder().decode(await readFile(tmp.join("downloads", n)))),
      );
    },
    version: async (role: string) =>
      JSON.parse(await readFile(tmp.join("metadata", `${role}.json`), "utf8")).signed.version as number,
    async [Symbol.asyncDispose]() {
      await server.close();
      await tmp[Symbol.asyncDispose]();
    },
  };
}

Deno.test("conformance client: init, refresh and download from a repository drover-repo's writer made", async () => {
  await using tmp = await tempDir("conformance-drover-");
  const keys: RoleKeys = {
    root: await generateKeyPair(),
    targets: await generateKeyPair({ keyType: "ecdsa" }),
    snapshot: await generateKeyPair(),
    timestamp: await generateKeyPair(),
  };
  const store = new FsRepoStore(tmp.join("repo"));
  const writer = await RepositoryWriter.init(store, keys);
  const bytes = text('{"deviceTypes":[]}');
  const sha256 = await crypto.subtle.digest("SHA-256", bytes).then((d) => Buffer.from(d).toString("hex"));
  await store.put(`targets/${sha256}.device-types.json`, bytes);
  writer.setTarget("device-types.json", {
    length: bytes.length,
    hashes: { sha256 },
    custom: { kind: "device-types" },
  });
  await writer.commit();
  await using c = await client({ dir: tmp.join("repo"), root: (await store.get("tuf/1.root.json"))! });
  assert.equal(await c.init(), 0);
  assert.equal(c.server.requests.length, 0, "init makes no request");
  assert.equal(await c.refresh(), 0, c.stderr);
  assert.equal(await c.version("targets"), 2);
  assert.equal(await c.download("device-types.json"), 0, c.stderr);
  assert.deepEqual(await c.downloads(), ['{"deviceTypes":[]}']);
  const fetched = c.server.requests.filter((r) => r.path.startsWith("/targets/")).length;
  assert.equal(await c.download("device-types.json"), 0);
  assert.equal(c.server.requests.filter((r) => r.path.startsWith("/targets/")).length, fetched, "cached");
  assert.equal(await c.download("no-such-target"), 1);
});

for (
  const [name, signers] of [
    [
      "ECDSA P-256 (WebCrypto)",
      () => Promise.all([ecdsaSigner(), ecdsaSigner(), ecdsaSigner(), ecdsaSigner()]),
    ],
    [
      "RSA-PSS (node:crypto, maximum salt)",
      () => Promise.resolve([rsaSigner(), rsaSigner(), rsaSigner(), rsaSigner()]),
    ],
    ["RSA-PSS (node:crypto, 32-byte salt)", () =>
      Promise.resolve([
        rsaSigner({ saltLength: 32 }),
        rsaSigner({ saltLength: 32 }),
        rsaSigner({ saltLength: 32 }),
        rsaSigner({ saltLength: 32 }),
      ])],
  ] as const
) {
  Deno.test(`conformance client: a repository signed by ${name} keys refreshes and downloads`, async () => {
    const [root, targets, snapshot, timestamp] = await signers();
    const repo = await TufFixture.create({
      signers: { root: [root!], targets: [targets!], snapshot: [snapshot!], timestamp: [timestamp!] },
    });
    repo.addTarget("dir/file.txt", text("signed contents"));
    await repo.publish();
    await using c = await client(repo);
    assert.equal(await c.init(), 0);
    assert.equal(await c.download("dir/file.txt"), 0, c.stderr);
    assert.deepEqual(await c.downloads(), ["signed contents"]);
    // a timestamp signed by a key of another role does not verify
    await repo.publish({ signers: { timestamp: [targets!] } });
    await repo.writeTo(c.tmp.join("repo"));
    assert.equal(await c.refresh(), 1);
    assert.match(c.stderr, /Cannot verify timestamp metadata: signed by 0\/1 keys/);
  });
}

Deno.test("conformance client: threshold 2 of 3 mixed keys (Ed25519, ECDSA, RSA): 1 signature refused, 2 accepted", async () => {
  const three = async () => [await ed25519Signer(), await ecdsaSigner(), rsaSigner()];
  const [root, targets] = [await three(), await three()];
  const repo = await TufFixture.create({
    signers: { root, targets },
    thresholds: { root: 2, targets: 2 },
  });
  repo.addTarget("a.txt", text("a"));
  await repo.publish({ signers: { targets: [targets[2]!, targets[1]!] } });
  await using c = await client(repo);
  assert.equal(await c.init(), 0);
  assert.equal(await c.refresh(), 0, c.stderr);
  assert.equal(await c.version("targets"), 2);
  repo.addTarget("b.txt", text("b"));
  await repo.publish({ signers: { targets: [targets[1]!] } });
  await repo.writeTo(c.tmp.join("repo"));
  assert.equal(await c.refresh(), 1);
  assert.match(c.stderr, /Cannot verify targets metadata: signed by 1\/2 keys/);
  assert.equal(await c.version("targets"), 2, "targets v3 is not persisted");
  // root v2 signed by one root key only is refused too; by two (RSA and Ed25519) it is accepted
  await repo.publishRoot({ signers: [root[1]!] });
  await repo.writeTo(c.tmp.join("repo"));
  assert.equal(await c.refresh(), 1);
  assert.match(c.stderr, /root v2 \(by root v1\): signed by 1\/2 keys/);
});

Deno.test("conformance client: consistent_snapshot false fetches metadata and targets without prefixes", async () => {
  const repo = await TufFixture.create({ consistentSnapshot: false });
  repo.addTarget("path/to/a/target_file.txt", text("plain"));
  await repo.publish();
  assert.ok(repo.files.has("targets/path/to/a/target_file.txt"));
  assert.ok(![...repo.files.keys()].some((p) => /^tuf\/\d+\.(targets|snapshot)\.json$/.test(p)));
  await using c = await client(repo);
  assert.equal(await c.init(), 0);
  assert.equal(await c.download("path/to/a/target_file.txt"), 0, c.stderr);
  assert.deepEqual(await c.downloads(), ["plain"]);
  const paths = c.server.requests.map((r) => r.path);
  assert.ok(paths.includes("/tuf/snapshot.json") && paths.includes("/tuf/targets.json"), paths.join());
  assert.ok(paths.includes("/targets/path/to/a/target_file.txt"), paths.join());
});

Deno.test("conformance client: a target listing only sha512 downloads by it; an unknown algorithm alone is refused", async () => {
  const repo = await TufFixture.create({ metaHashes: ["sha384"] });
  repo.addTarget("only512.txt", text("five twelve"), { hashes: ["sha512"] });
  repo.addTarget("both.txt", text("both"), { hashes: ["sha256", "sha512"] });
  await repo.publish({
    edit: (role, signed) => {
      if (role !== "targets") return;
      const targets = signed.targets as Record<string, { hashes: Record<string, string> }>;
      targets["unknown.txt"] = { ...targets["only512.txt"]!, hashes: { "unknown-hash": "00".repeat(64) } };
    },
  });
  await using c = await client(repo);
  assert.equal(await c.init(), 0);
  assert.equal(await c.download("only512.txt", "both.txt"), 0, c.stderr);
  assert.deepEqual(await c.downloads(), ["both", "five twelve"]);
  const sha512 = Buffer.from(await crypto.subtle.digest("SHA-512", text("five twelve"))).toString("hex");
  assert.ok(c.server.requests.some((r) => r.path === `/targets/${sha512}.only512.txt`));
  assert.equal(await c.download("unknown.txt"), 1);
  assert.match(c.stderr, /unknown\.txt: not a target this client can verify/);
  assert.equal((await c.downloads()).length, 2);
  // substituted bytes are refused and never stored
  repo.files.set(`targets/${sha512}.only512.txt`, text("five twelvf"));
  await repo.writeTo(c.tmp.join("repo"));
  await writeFile(join(c.tmp.join("downloads"), "only512.txt"), "changed locally");
  assert.equal(await c.download("only512.txt"), 1);
  assert.match(c.stderr, /sha512 mismatch/);
});

Deno.test("conformance client: the script's exit codes as the suite runs it (a child process)", async () => {
  const repo = await TufFixture.create();
  await using c = await client(repo);
  const run = async (...args: string[]) =>
    (await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", join(ROOT, "scripts/tuf_conformance_client.ts"), ...args],
      stdout: "null",
      stderr: "null",
    }).output()).code;
  await writeFile(c.tmp.join("root.json"), repo.trustedRoot);
  assert.equal(await run("--metadata-dir", c.tmp.join("md"), "init", c.tmp.join("root.json")), 0);
  assert.equal(
    await run(
      "--metadata-dir",
      c.tmp.join("md"),
      "--metadata-url",
      new URL("tuf", c.server.url).href,
      "refresh",
    ),
    0,
  );
  assert.equal(
    await run("--metadata-dir", c.tmp.join("md"), "--metadata-url", "http://127.0.0.1:9/tuf", "refresh"),
    1,
  );
  assert.equal(await run("--metadata-dir", c.tmp.join("md"), "bogus"), 1);
});
