/**
 * Child process of the untar benchmark: extracts one archive with UntarStream + extractTo
 * (node abilities) and prints one JSON line: { ms, peakRssKiB, summary }.
 * Usage: deno run -A scripts/bench/_untar_child.ts ARCHIVE DEST fsync|nofsync
 * @module
 */
import { open, readFile } from "node:fs/promises";
import process from "node:process";
import { setAbilities } from "../../core/abilities.ts";
import { UntarStream } from "../../core/archive/mod.ts";
import { nodeAbilities } from "../../core/node.ts";
import { extractTo } from "../../device/extract.ts";

const CHUNK = 256 * 1024;

/** A pull-based file stream: one fresh 256 KiB buffer per read, nothing read ahead. */
async function fileStream(path: string): Promise<ReadableStream<Uint8Array>> {
  const fh = await open(path, "r");
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const buffer = new Uint8Array(CHUNK);
      const { bytesRead } = await fh.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) {
        await fh.close();
        controller.close();
      } else controller.enqueue(buffer.subarray(0, bytesRead));
    },
    async cancel() {
      await fh.close();
    },
  }, { highWaterMark: 0 });
}

const [archive, dest, fsync] = process.argv.slice(2);
if (!archive || !dest) throw new TypeError("Cannot run: usage ARCHIVE DEST fsync|nofsync");
setAbilities(nodeAbilities);
const start = performance.now();
const summary = await extractTo((await fileStream(archive)).pipeThrough(new UntarStream()), dest, {
  fsync: fsync === "fsync",
});
const ms = performance.now() - start;
const status = await readFile("/proc/self/status", "utf8");
const peakRssKiB = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
console.log(JSON.stringify({ ms, peakRssKiB, summary }));
