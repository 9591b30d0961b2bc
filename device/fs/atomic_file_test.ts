import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic_file.ts";

Deno.test("writeFileAtomic() replaces the file and leaves no temp file behind", async () => {
  const dir = await mkdtemp(join(tmpdir(), "drover-atomic-"));
  try {
    const path = join(dir, "status.json");
    await writeFileAtomic(path, "one");
    await writeFileAtomic(path, new TextEncoder().encode("two"), { mode: 0o600 });
    assert.equal(await readFile(path, "utf8"), "two");
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(dir), ["status.json"]);
    await assert.rejects(writeFileAtomic(join(dir, "missing/x.json"), "x"), { code: "ENOENT" });
    assert.deepEqual(await readdir(dir), ["status.json"]);
    await assert.rejects(writeFileAtomic("", "x"), TypeError);
  } finally {
    await rm(dir, { recursive: true });
  }
});
