import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Workspace } from "../fs/workspace.ts";
import { pruneDownloads } from "./_prune_downloads.ts";

Deno.test("pruneDownloads removes the files of every unwanted blob key, sha512/sha384/sha1 ones too, and nothing else", async () => {
  const dir = await mkdtemp(join(tmpdir(), "drover-prune-"));
  try {
    const ws = new Workspace(dir);
    await mkdir(ws.downloads, { recursive: true });
    const keep = "a".repeat(64);
    const gone = [
      "b".repeat(64),
      `sha512-${"c".repeat(128)}`,
      `sha384-${"d".repeat(96)}`,
      `sha1-${"e".repeat(40)}`,
    ];
    for (const key of [keep, ...gone]) {
      await writeFile(join(ws.downloads, `${key}.blob`), "x");
      await writeFile(join(ws.downloads, `${key}.part`), "x");
    }
    await mkdir(join(ws.downloads, `${gone[1]}.chunks`));
    const foreign = ["notes.txt", `sha512-${"c".repeat(64)}.blob`, `${"A".repeat(64)}.blob`];
    for (const name of foreign) await writeFile(join(ws.downloads, name), "x");
    await pruneDownloads(ws, new Set([keep]));
    assert.deepEqual(
      (await readdir(ws.downloads)).sort(),
      [`${keep}.blob`, `${keep}.part`, ...foreign].sort(),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
