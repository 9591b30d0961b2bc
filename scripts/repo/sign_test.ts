import assert from "node:assert/strict";
import { mkdir, readFile, rename, stat } from "node:fs/promises";
import { join } from "node:path";
import { MemoryStore, refreshTrust } from "../../core/trust/mod.ts";
import { FsRepoStore } from "./fs_repo_store.ts";
import { runRepo } from "./main.ts";

async function run(...argv: string[]) {
  let stdout = "", stderr = "";
  const code = await runRepo(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {} });
  return { code, stdout, stderr };
}

const exists = (path: string) => stat(path).then(() => true, () => false);

Deno.test("repo init --keys-per-role 3 --threshold 2 --key-type ecdsa; add-app stages; repo sign publishes", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const r = join(tmp, "repo"), k = join(tmp, "keys"), holder = join(tmp, "holder");
    const init = await run(
      "init",
      "--repo",
      r,
      "--keys",
      k,
      "--key-type",
      "ecdsa",
      "--keys-per-role",
      "3",
      "--threshold",
      "2",
      "--json",
    );
    assert.equal(init.code, 0, init.stderr);
    assert.deepEqual(JSON.parse(init.stdout).thresholds, { root: 2, targets: 2 });
    for (
      const f of [
        "root.json",
        "root.2.json",
        "root.3.json",
        "targets.2.json",
        "targets.3.json",
        "snapshot.json",
      ]
    ) {
      assert.ok(await exists(join(k, f)), f);
    }
    assert.equal(await exists(join(k, "snapshot.2.json")), false, "online roles keep one key");
    const root = JSON.parse(await readFile(join(r, "tuf/1.root.json"), "utf8")).signed;
    assert.equal(root.keys[root.roles.targets.keyids[0]].scheme, "ecdsa-sha2-nistp256");
    // the other targets holders take their keys away
    await mkdir(holder);
    for (const f of ["targets.2.json", "targets.3.json"]) await rename(join(k, f), join(holder, f));

    await Deno.writeFile(join(tmp, "a.tar"), new Uint8Array(1024));
    const add = await run(
      "add-app",
      "--repo",
      r,
      "--keys",
      k,
      "--file",
      join(tmp, "a.tar"),
      "--name",
      "acme/radio",
      "--ref",
      "main",
      "--commit",
      "0123abc",
    );
    assert.equal(add.code, 0, add.stderr);
    assert.match(
      add.stderr,
      /targets v2 staged in staged\/targets\.json, not published: signed by 1\/2 keys; add signatures: repo sign/,
    );
    assert.ok(await exists(join(r, "staged/targets.json")));
    assert.equal(await exists(join(r, "tuf/2.targets.json")), false);

    const client = new MemoryStore();
    const store = new FsRepoStore(r);
    const trustedRoot = (await store.get("tuf/1.root.json"))!;
    const refresh = () => refreshTrust({ fetch: (p) => store.get(p), store: client, trustedRoot });
    assert.equal((await refresh()).findApp("acme/radio", "main"), undefined);

    const signed = await run(
      "sign",
      "--repo",
      r,
      "--keys",
      k,
      "--key",
      join(holder, "targets.3.json"),
      "--json",
    );
    assert.equal(signed.code, 0, signed.stderr);
    const doc = JSON.parse(signed.stdout);
    assert.deepEqual([doc.published, doc.staged, doc.versions.targets], [true, null, 2]);
    assert.equal(await exists(join(r, "staged/targets.json")), false);
    assert.equal((await refresh()).findApp("acme/radio", "main")?.custom.kind, "app");

    const none = await run("sign", "--repo", r, "--keys", k, "--key", join(holder, "targets.2.json"));
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no staged targets metadata/);
    const wrong = await run("sign", "--repo", r, "--keys", k, "--role", "root");
    assert.equal(wrong.code, 2);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
