/**
 * Child process of the untar benchmark: extracts one archive with UntarStream + extractTo
 * (node abilities), reading the archive as the device installs a blob (device/fs/file_streams.ts:
 * 256 KiB reads, the collection hints of device/fs/gc_hint.ts, each buffer released once used:
 * UntarStream's `releaseBuffers`), and prints one JSON line: { ms, peakRssKiB, summary }.
 * Usage: deno run -A scripts/bench/_untar_child.ts ARCHIVE DEST fsync|nofsync
 * @module
 */
import { readFile } from "node:fs/promises";
import process from "node:process";
import { setAbilities } from "../../core/abilities.ts";
import { UntarStream } from "../../core/archive/mod.ts";
import { nodeAbilities } from "../../core/node.ts";
import { extractTo } from "../../device/fs/extract.ts";
import { fileStream } from "../../device/fs/file_streams.ts";

const [archive, dest, fsync] = process.argv.slice(2);
if (!archive || !dest) throw new TypeError("Cannot run: usage ARCHIVE DEST fsync|nofsync");
setAbilities(nodeAbilities);
const start = performance.now();
const summary = await extractTo(
  fileStream(archive).pipeThrough(new UntarStream({ releaseBuffers: true })),
  dest,
  {
    fsync: fsync === "fsync",
  },
);
const ms = performance.now() - start;
const status = await readFile("/proc/self/status", "utf8");
const peakRssKiB = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
console.log(JSON.stringify({ ms, peakRssKiB, summary }));
