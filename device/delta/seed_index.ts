/**
 * The cached chunk list of a seed (DESIGN §10): `<seed>.cidx-local` (the `.blob` suffix dropped)
 * holds the sha256 and length of every chunk of the seed's uncompressed stream, so a delta does not
 * re-chunk the seed on every run. Keyed by the seed's size and mtime and the chunker parameters: a
 * seed that changed is re-chunked. The cache is only a hint: every chunk taken from a seed is
 * hashed before use, so a stale or damaged cache can only cause a fetch, never a wrong install.
 * A list comes from a signed chunk index (`source: "index"`: the seed's own release's, or the index a
 * reassembled tar was verified against) or from chunking the seed on the device (`"chunked"`).
 * Format: `DRVSIDX1\n`, a JSON header line `{size, mtimeMs, gzip, chunker, count, length, source}`,
 * then 36 bytes a chunk (sha256, uint32 length, big-endian); offsets are the running sum of the lengths.
 *
 * @example
 * ```ts ignore
 * import { readSeedIndex } from "./seed_index.ts";
 * const cached = await readSeedIndex(seed, DEFAULT_CHUNKER);
 * if (cached) console.log(cached.chunks.length, cached.gzip);
 * ```
 * @module
 */
import { open, readFile, rename, rm, stat } from "node:fs/promises";
import type { ChunkerParams, SeedChunk } from "../../core/delta/mod.ts";
import { fromHex, toHex } from "../../core/verify/mod.ts";
import { writeFileAtomic } from "../fs/atomic_file.ts";

const MAGIC = "DRVSIDX1\n";

/** A seed's chunk list: `gzip` when its chunks are of the gunzipped stream. */
export interface SeedIndex {
  gzip: boolean;
  chunks: SeedChunk[];
  /** Where the list came from: a signed chunk index, or chunking the seed (default). */
  source?: "index" | "chunked";
}

/** Where the cached chunk list of `seed` is kept. */
export const seedIndexPath = (seed: string): string => `${seed.replace(/\.blob$/, "")}.cidx-local`;

/** Whether `path` starts with the gzip magic. */
export async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, "r");
  try {
    const head = new Uint8Array(2);
    await fh.read(head, 0, 2, 0);
    return head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

const chunkerKey = (c: ChunkerParams) => `${c.algorithm}/${c.min}/${c.avg}/${c.max}`;

/** The cached chunk list of `seed` for `chunker`, or `undefined` (none, stale, malformed). */
export async function readSeedIndex(seed: string, chunker: ChunkerParams): Promise<SeedIndex | undefined> {
  try {
    const [bytes, st] = await Promise.all([readFile(seedIndexPath(seed)), stat(seed)]);
    const text = new TextDecoder();
    if (text.decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) return undefined;
    const end = bytes.indexOf(0x0a, MAGIC.length);
    const head = JSON.parse(text.decode(bytes.subarray(MAGIC.length, end)));
    const body = bytes.subarray(end + 1);
    if (
      head.size !== st.size || head.mtimeMs !== st.mtimeMs || head.chunker !== chunkerKey(chunker) ||
      typeof head.gzip !== "boolean" || body.length !== head.count * 36
    ) return undefined;
    const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
    const chunks: SeedChunk[] = [];
    let offset = 0;
    for (let at = 0; at < body.length; at += 36) {
      const length = view.getUint32(at + 32);
      chunks.push({ sha256: toHex(body.subarray(at, at + 32)), offset, length });
      offset += length;
    }
    const source = head.source === "index" ? "index" : "chunked";
    return offset === head.length ? { gzip: head.gzip, chunks, source } : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the chunk list of `seed` (its size and mtime as they are now) atomically. */
export async function writeSeedIndex(
  seed: string,
  o: { chunker: ChunkerParams; index: SeedIndex },
): Promise<void> {
  const st = await stat(seed);
  const { chunks, gzip } = o.index;
  const length = chunks.reduce((n, c) => n + c.length, 0);
  const head = JSON.stringify({
    size: st.size,
    mtimeMs: st.mtimeMs,
    gzip,
    chunker: chunkerKey(o.chunker),
    count: chunks.length,
    length,
    source: o.index.source ?? "chunked",
  });
  const top = new TextEncoder().encode(`${MAGIC}${head}\n`);
  const out = new Uint8Array(top.length + chunks.length * 36);
  out.set(top);
  const view = new DataView(out.buffer);
  chunks.forEach((c, i) => {
    const at = top.length + i * 36;
    out.set(fromHex(c.sha256), at);
    view.setUint32(at + 32, c.length);
  });
  await writeFileAtomic(seedIndexPath(seed), out);
}

/** Drops the cached chunk list of `seed` (a chunk of it failed its sha256). */
export async function dropSeedIndex(seed: string): Promise<void> {
  await rm(seedIndexPath(seed), { force: true });
}

/** Moves the cached chunk list of `from` beside `to` (a seed renamed keeps its size and mtime). */
export async function moveSeedIndex(from: string, to: string): Promise<void> {
  await rename(seedIndexPath(from), seedIndexPath(to)).catch(() => {});
}
