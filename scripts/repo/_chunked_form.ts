/**
 * Private: the chunked form of an artifact (DESIGN §10). The UNCOMPRESSED stream (an app's tar,
 * gunzipped when the archive is gzip; an image as it is) is cut by content-defined chunking
 * (core/delta `ChunkStream`), each distinct chunk gzipped on its own (level 6: measured beside
 * zstd, see README) into one pack, and described by a chunk index. Both become TUF targets beside
 * the artifact (`<path>.cpack`, `<path>.cidx`); the returned link goes in the artifact's
 * `custom.delta`. Streams: holds one chunk and the index entries, never the artifact.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { createGunzip, gzipSync } from "node:zlib";
import {
  ChunkDigestStream,
  type ChunkerParams,
  ChunkStream,
  DEFAULT_CHUNKER,
  type DeltaLink,
  encodeChunkIndex,
  type IndexChunk,
} from "../../core/delta/mod.ts";
import type { RepositoryWriter, TargetCustom } from "../../core/trust/mod.ts";
import type { FsRepoStore } from "./fs_repo_store.ts";
import { importTarget, putTargetBytes } from "./_import_target.ts";
import type { RunImports } from "./_run_imports.ts";

/** Whether the chunked form is wanted: not with `--no-chunks` or env `DROVER_REPO_CHUNKS=0`. */
export function chunksWanted(noChunks: unknown, env: Record<string, string | undefined>): boolean {
  return noChunks !== true && env.DROVER_REPO_CHUNKS !== "0";
}

/** The uncompressed stream of `file` (gunzipped when `gzip`). */
function uncompressed(file: string, gzip: boolean): ReadableStream<Uint8Array> {
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  if (!gzip) return Readable.toWeb(raw) as ReadableStream<Uint8Array>;
  const gunzip = createGunzip();
  raw.on("error", (e) => gunzip.destroy(e));
  return Readable.toWeb(raw.pipe(gunzip)) as ReadableStream<Uint8Array>;
}

/**
 * Writes the pack and index of `file` (target `path`) into the repository and sets both targets
 * in `writer`; returns the link for `custom.delta`. With `imports`, stops when the run is interrupted
 * and records what it creates (`_run_imports.ts`).
 */
export async function writeChunkedForm(
  repo: { store: FsRepoStore; writer: RepositoryWriter },
  options: {
    path: string;
    file: string;
    gzip: boolean;
    chunker?: ChunkerParams;
    level?: number;
    imports?: RunImports;
  },
): Promise<DeltaLink> {
  const imports = options.imports;
  const chunker = { ...(options.chunker ?? DEFAULT_CHUNKER) };
  const dir = join(tmpdir(), `drover-pack-${randomBytes(6).toString("hex")}`);
  await mkdir(dir, { recursive: true });
  const packFile = join(dir, "pack");
  try {
    const whole = createHash("sha256");
    const seen = new Map<string, IndexChunk>();
    const chunks: IndexChunk[] = [];
    let length = 0, packLength = 0;
    const fh = await open(packFile, "wx");
    try {
      const stream = uncompressed(options.file, options.gzip)
        .pipeThrough(new ChunkStream(chunker))
        .pipeThrough(new ChunkDigestStream());
      for await (const c of stream) {
        imports?.signal.throwIfAborted();
        whole.update(c.bytes);
        length += c.bytes.length;
        const same = seen.get(c.sha256);
        if (same) {
          chunks.push({ ...same, offset: c.offset });
          continue;
        }
        const packed = gzipSync(c.bytes, { level: options.level ?? 6 });
        await fh.write(packed);
        const entry = {
          sha256: c.sha256,
          offset: c.offset,
          length: c.bytes.length,
          packOffset: packLength,
          packLength: packed.length,
        };
        packLength += packed.length;
        seen.set(c.sha256, entry);
        chunks.push(entry);
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    const index = encodeChunkIndex({
      chunker,
      compression: "gzip",
      length,
      sha256: whole.digest("hex"),
      packLength,
      chunks,
    });
    const packPath = `${options.path}.cpack`;
    const indexPath = `${options.path}.cidx`;
    const pack = await importTarget(repo.store, packPath, packFile, { imports });
    const idx = await putTargetBytes(repo.store, indexPath, index, { imports });
    const custom = (kind: string) => ({ kind, of: options.path }) as unknown as TargetCustom;
    repo.writer.setTarget(packPath, {
      length: pack.length,
      hashes: pack.hashes,
      custom: custom("delta-pack"),
    });
    repo.writer.setTarget(indexPath, {
      length: idx.length,
      hashes: idx.hashes,
      custom: custom("delta-index"),
    });
    return {
      index: indexPath,
      indexSha256: idx.hashes.sha256,
      indexLength: idx.length,
      pack: packPath,
      packSha256: pack.hashes.sha256,
      packLength: pack.length,
      chunker,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
