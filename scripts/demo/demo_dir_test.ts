import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, readdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { openDemoDir } from "./demo_dir.ts";

async function scratch() {
  const root = await Deno.makeTempDir({ prefix: "drover-demo-dir-test-" });
  return {
    root,
    async [Symbol.asyncDispose]() {
      await Deno.remove(root, { recursive: true });
    },
  };
}

Deno.test("demo dir: a missing --dir is made and removed whole; an empty one is kept, emptied again", async () => {
  await using s = await scratch();
  const where = { cwd: s.root, env: {} };
  const made = await openDemoDir({ dir: "made" }, where);
  assert.equal(made.root, join(await Deno.realPath(s.root), "made"));
  await mkdir(made.repo);
  await made.remove();
  assert.equal(existsSync(made.root), false);
  await mkdir(join(s.root, "empty"));
  const empty = await openDemoDir({ dir: "empty" }, where);
  await mkdir(empty.devices);
  await empty.remove();
  assert.deepEqual(await readdir(join(s.root, "empty")), []);
});

Deno.test("demo dir: a directory an earlier demo left is reused from scratch", async () => {
  await using s = await scratch();
  const where = { cwd: s.root, env: {} };
  const first = await openDemoDir({ dir: "demo" }, where);
  await mkdir(join(first.repo, "tuf"), { recursive: true });
  await writeFile(join(first.repo, "tuf", "root.json"), "{}");
  const again = await openDemoDir({ dir: "demo" }, where); // kept by --keep, run again
  assert.equal(existsSync(again.repo), false);
  assert.deepEqual(await readdir(again.root), [".drover-demo"]);
});

Deno.test("demo dir: refuses ./.data, DROVER_DATA, what overlaps them, and foreign directories", async () => {
  await using s = await scratch();
  await mkdir(join(s.root, ".data"));
  await mkdir(join(s.root, "data"));
  await mkdir(join(s.root, "other", "tuf"), { recursive: true });
  await writeFile(join(s.root, "other", "tuf", "root.json"), "{}");
  await mkdir(join(s.root, "files"));
  await writeFile(join(s.root, "files", "notes.txt"), "mine");
  await symlink(join(s.root, ".data"), join(s.root, "link"));
  const where = { cwd: s.root, env: { DROVER_DATA: "data" } };
  const cases: [string, RegExp][] = [
    [".data", /overlaps \.\/\.data/],
    [".data/demo", /overlaps \.\/\.data/],
    ["link", /overlaps \.\/\.data/],
    [".", /overlaps \.\/\.data/],
    ["data", /overlaps \$DROVER_DATA/],
    ["data/sub", /overlaps \$DROVER_DATA/],
    ["other", /holds a repository and was not made by the demo/],
    ["files", /is not empty and was not made by the demo/],
    ["files/notes.txt", /is not a directory/],
  ];
  for (const [dir, message] of cases) {
    await assert.rejects(openDemoDir({ dir }, where), message, dir);
  }
  assert.deepEqual(await readdir(join(s.root, ".data")), []);
  assert.deepEqual(await readdir(join(s.root, "data")), []);
});
