/**
 * Private to scripts/ (`compile.ts`): a SEA blob for a 32-bit target. Node 20's SEA blob stores string
 * lengths as `size_t`: 8 bytes as made on a 64-bit host, 4 bytes on a 32-bit target (armv7l), which
 * aborts on a 64-bit blob.
 * @module
 */
import { Buffer } from "node:buffer";
import { readFile, rename, writeFile } from "node:fs/promises";
import { exists } from "./_compile_run.ts";

/**
 * The 32-bit form of the blob at `path` (`<path>.32`, made once). Re-encodes the plain layout (no
 * snapshot, no code cache, no assets): magic u32, flags u32, then length + bytes of the code path and of
 * the main script.
 */
export async function blob32(path: string): Promise<string> {
  const out = `${path}.32`;
  if (await exists(out)) return out;
  const b = await readFile(path);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const flags = view.getUint32(4, true);
  if (flags & ~1) throw new Error(`Cannot convert the SEA blob to 32 bits: unsupported flags ${flags}`);
  const parts: Uint8Array[] = [b.subarray(0, 8)];
  let at = 8;
  for (const _ of ["code path", "main script"]) {
    const length = Number(view.getBigUint64(at, true));
    const size = new Uint8Array(4);
    new DataView(size.buffer).setUint32(0, length, true);
    parts.push(size, b.subarray(at + 8, at + 8 + length));
    at += 8 + length;
  }
  if (at !== b.length) {
    throw new Error(`Cannot convert the SEA blob to 32 bits: ${b.length - at} unexpected bytes`);
  }
  await writeFile(`${out}.tmp`, Buffer.concat(parts));
  await rename(`${out}.tmp`, out);
  return out;
}
