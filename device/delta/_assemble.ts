/**
 * Private to device/delta: writes a delta's verified chunks (`_reassemble.ts`) in order to
 * `<key>.tar`, verified against the index's sha256 and length before it gets its name (fsynced
 * first). Writes go through one coalescing 1 MiB buffer; the file being written lives in the chunk
 * log's directory, so a killed run leaves nothing under the tar's name.
 */
import { createHash } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { ChunkIndex } from "../../core/delta/mod.ts";
import { IntegrityError } from "../../core/errors.ts";
import { fsyncDir } from "../fs/atomic_file.ts";
import { CoalescingWriter } from "../fs/file_streams.ts";
import { writeSeedIndex } from "./seed_index.ts";

/** Writes `chunks` as `<downloads>/<key>.tar` (through `<dir>/.tar.part`); resolves its path. */
export async function assemble(
  downloads: string,
  o: { key: string; index: ChunkIndex; dir: string; chunks: AsyncIterable<Uint8Array> },
): Promise<string> {
  const { index } = o;
  const tar = join(downloads, `${o.key}.tar`);
  const part = join(o.dir, ".tar.part");
  const whole = createHash("sha256");
  let length = 0;
  const fh = await open(part, "w");
  try {
    const out = new CoalescingWriter(fh);
    for await (const bytes of o.chunks) {
      whole.update(bytes);
      length += bytes.length;
      await out.push(bytes);
    }
    await out.flush();
    await fh.sync();
  } catch (error) {
    await fh.close();
    await rm(part, { force: true });
    throw error;
  }
  await fh.close();
  if (length !== index.length || whole.digest("hex") !== index.sha256) {
    await rm(part, { force: true });
    throw new IntegrityError(`Cannot verify the reassembled ${o.key}: sha256 or length mismatch`);
  }
  await rename(part, tar);
  await fsyncDir(dirname(tar));
  // the tar becomes the app's seed once installed: its chunk list is the index's
  await writeSeedIndex(tar, {
    chunker: index.chunker,
    index: { gzip: false, chunks: index.chunks, source: "index" },
  }).catch(() => {});
  return tar;
}
