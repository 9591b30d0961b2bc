import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { keepSeed, seedsOf } from "./seeds.ts";

const sha = (c: string) => c.repeat(64);

Deno.test("keepSeed moves the installed file to seeds/<owner~app>/<sha256>.blob with its list and drops the old layout's", async () => {
  const ws = await mkdtemp(join(tmpdir(), "drover-seeds-"));
  try {
    await mkdir(join(ws, "downloads"));
    await mkdir(join(ws, "seeds"));
    await writeFile(join(ws, "seeds", "acme~radio.blob"), "old");
    await writeFile(join(ws, "seeds", "acme~radio.cidx-local"), "old list");
    await writeFile(join(ws, "downloads", "x.tar"), "tar");
    await writeFile(join(ws, "downloads", "x.tar.cidx-local"), "list");
    const files = [join(ws, "downloads", "x.blob"), join(ws, "downloads", "x.tar")];
    await keepSeed(ws, "acme/radio", { files, sha256: sha("a") });
    assert.deepEqual(await readdir(join(ws, "seeds")), ["acme~radio"]);
    assert.deepEqual((await readdir(join(ws, "seeds", "acme~radio"))).sort(), [
      `${sha("a")}.blob`,
      `${sha("a")}.cidx-local`,
    ]);
    assert.deepEqual(await readdir(join(ws, "downloads")), []);
    await assert.rejects(keepSeed(ws, "acme/radio", { files, sha256: "../x" }), TypeError);
  } finally {
    await rm(ws, { recursive: true });
  }
});

Deno.test("seedsOf gives an app's seeds newest first, a seed of the layout before last", async () => {
  const ws = await mkdtemp(join(tmpdir(), "drover-seeds-"));
  try {
    const folder = join(ws, "seeds", "acme~radio");
    await mkdir(folder, { recursive: true });
    for (const [c, at] of [["a", 1000], ["b", 3000], ["c", 2000]] as const) {
      await writeFile(join(folder, `${sha(c)}.blob`), c);
      await utimes(join(folder, `${sha(c)}.blob`), at, at);
    }
    await writeFile(join(folder, `${sha("d")}.cidx-local`), "a list without its seed");
    await writeFile(join(ws, "seeds", "acme~radio.blob"), "old");
    assert.deepEqual(await seedsOf(ws, "acme/radio"), [
      { path: join(folder, `${sha("b")}.blob`), sha256: sha("b") },
      { path: join(folder, `${sha("c")}.blob`), sha256: sha("c") },
      { path: join(folder, `${sha("a")}.blob`), sha256: sha("a") },
      { path: join(ws, "seeds", "acme~radio.blob") },
    ]);
    assert.deepEqual(await seedsOf(ws, "acme/other"), []);
  } finally {
    await rm(ws, { recursive: true });
  }
});
