/**
 * Private to device/delta: chunks a seed file with the index's parameters (gunzipped first when it
 * is gzip) and stores each chunk the index wants and the chunk dir lacks. A chunk counts only by
 * the sha256 of its bytes, so a damaged seed costs only its damaged chunks (they are fetched).
 */
import { open } from "node:fs/promises";
import { getAbilities } from "../../core/abilities.ts";
import { ChunkDigestStream, type ChunkerParams, ChunkStream } from "../../core/delta/mod.ts";
import { fileStream } from "../fs/file_streams.ts";
import type { ChunkDir } from "./_chunk_dir.ts";

async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, "r");
  try {
    const head = new Uint8Array(2);
    await fh.read(head, 0, 2, 0);
    return head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** Adds to `have` (and `dir`) the wanted chunks found in `seed`; a seed that cannot be read adds nothing. */
export async function scanSeed(
  seed: string,
  options: { chunker: ChunkerParams; wanted: Set<string>; have: Set<string>; dir: ChunkDir },
): Promise<void> {
  const { wanted, have, dir } = options;
  try {
    let bytes = fileStream(seed);
    if (await isGzip(seed)) bytes = bytes.pipeThrough(getAbilities().createGunzip());
    const chunks = bytes.pipeThrough(new ChunkStream(options.chunker)).pipeThrough(new ChunkDigestStream());
    let missing = [...wanted].filter((s) => !have.has(s)).length;
    if (missing === 0) return;
    const reader = chunks.getReader();
    try {
      for (let r = await reader.read(); !r.done; r = await reader.read()) {
        const c = r.value;
        if (!wanted.has(c.sha256) || have.has(c.sha256)) continue;
        await dir.put(c.sha256, c.bytes);
        have.add(c.sha256);
        if (--missing === 0) break;
      }
    } finally {
      await reader.cancel().catch(() => {});
    }
  } catch {
    // a damaged seed (bad gzip, unreadable): what was found so far stays, the rest is fetched
  }
}
