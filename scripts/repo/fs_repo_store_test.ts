import assert from "node:assert/strict";
import { join } from "node:path";
import { FsRepoStore } from "./fs_repo_store.ts";

Deno.test("FsRepoStore puts atomically (no temp files left), gets back, and returns undefined for missing files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new FsRepoStore(dir);
    assert.equal(await store.get("tuf/root.json"), undefined);
    await store.put("tuf/root.json", new Uint8Array([1, 2]));
    await store.put("tuf/root.json", new Uint8Array([3]));
    assert.deepEqual(await store.get("tuf/root.json"), new Uint8Array([3]));
    const names = [];
    for await (const e of Deno.readDir(join(dir, "tuf"))) names.push(e.name);
    assert.deepEqual(names, ["root.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FsRepoStore refuses paths that could escape its directory", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new FsRepoStore(join(dir, "repo"));
    for (const p of ["../x", "a/../../x", "/etc/passwd", "", "a//b", "./a", "a\\..\\b"]) {
      await assert.rejects(store.put(p, new Uint8Array(1)), TypeError, p);
      await assert.rejects(store.get(p), TypeError, p);
    }
    await assert.rejects(Deno.stat(join(dir, "x")), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
