import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { SeedSource } from "./_seed_source.ts";

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** A gzip seed of 8 chunks of 40 000 bytes (chunk 5 the same as chunk 1), and its list. */
async function gzipSeed(dir: string) {
  const parts = Array.from({ length: 8 }, (_, i) => new Uint8Array(40_000).fill(i === 5 ? 1 : i));
  const whole = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.forEach((p, i) => whole.set(p, i * 40_000));
  const path = join(dir, "seed.blob");
  await writeFile(path, gzipSync(whole));
  const list = parts.map((p, i) => ({ sha256: sha256(p), offset: i * 40_000, length: p.length }));
  return { path, list, parts };
}

Deno.test("a gzip seed gives chunks asked out of order and twice, those passed kept in a spill file", async () => {
  const dir = await mkdtemp(join(tmpdir(), "drover-seed-"));
  try {
    const { path, list, parts } = await gzipSeed(dir);
    const asked = [6, 2, 1, 7, 2]; // 2 twice; 1 and 5 are the same chunk
    const uses = new Map<string, number>();
    for (const i of asked) uses.set(list[i]!.sha256, (uses.get(list[i]!.sha256) ?? 0) + 1);
    const seed = new SeedSource(path, { gzip: true, list, uses, spill: join(dir, "spill") });
    for (const i of asked) assert.deepEqual(await seed.read(list[i]!), parts[i], `chunk ${i}`);
    await seed.close();
  } finally {
    await rm(dir, { recursive: true });
  }
});

Deno.test("a damaged gzip seed gives the chunks before the damage, never a wrong one after it", async () => {
  const dir = await mkdtemp(join(tmpdir(), "drover-seed-"));
  try {
    const { path, list, parts } = await gzipSeed(dir);
    const bytes = new Uint8Array(await Deno.readFile(path));
    bytes.fill(0x41, bytes.length - 40, bytes.length - 8); // the last deflate block and the crc
    await writeFile(path, bytes);
    const uses = new Map(list.map((c) => [c.sha256, 1]));
    const seed = new SeedSource(path, { gzip: true, list, uses, spill: join(dir, "spill") });
    assert.deepEqual(await seed.read(list[0]!), parts[0]);
    const last = await seed.read(list[7]!);
    assert.ok(last === undefined || sha256(last) !== list[7]!.sha256, "never the chunk the list names");
    await seed.close();
  } finally {
    await rm(dir, { recursive: true });
  }
});

Deno.test("a raw seed is read in place, and a chunk past its end is not given", async () => {
  const dir = await mkdtemp(join(tmpdir(), "drover-seed-"));
  try {
    const path = join(dir, "seed.tar");
    await writeFile(path, new Uint8Array(1000).map((_, i) => i % 251));
    const seed = new SeedSource(path, { gzip: false, list: [], uses: new Map(), spill: join(dir, "spill") });
    assert.deepEqual(
      await seed.read({ sha256: "", offset: 10, length: 5 }),
      new Uint8Array([10, 11, 12, 13, 14]),
    );
    assert.equal(await seed.read({ sha256: "", offset: 998, length: 5 }), undefined);
    await seed.close();
  } finally {
    await rm(dir, { recursive: true });
  }
});
