/**
 * Untar benchmark: builds a ~512 MiB .tar.gz (large and small files of mostly incompressible
 * data), then times `tar xzf` (baseline) against UntarStream + extractTo with node abilities,
 * fsync off and on, each in a child process whose peak RSS (VmHWM) is reported; a last run caps
 * V8's young generation to show how much of that RSS is garbage-collector slack.
 *
 * Usage: `npx -y deno@2.9.6 run -A scripts/bench/untar.ts [--size-mib 512] [--json]`
 *
 * @example
 * ```ts ignore
 * import { benchUntar } from "./untar.ts";
 * const result = await benchUntar({ sizeMiB: 64 });
 * console.log(result.rows);
 * ```
 * @module
 */
import { spawn } from "node:child_process";
import { randomFillSync } from "node:crypto";
import { mkdir, mkdtemp, open, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** One measured extraction. */
export interface UntarBenchRow {
  name: string;
  seconds: number;
  /** Archive (compressed) MiB per second. */
  mibPerSecond: number;
  /** Uncompressed content MiB per second. */
  contentMibPerSecond: number;
  /** Peak RSS in MiB (undefined when not measured). */
  peakRssMiB?: number;
}

/** What {@linkcode benchUntar} measured. */
export interface UntarBenchResult {
  archiveMiB: number;
  contentMiB: number;
  files: number;
  rows: UntarBenchRow[];
}

const MIB = 1024 * 1024;

function run(cmd: string, args: string[], options: { stdout?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", options.stdout ? "pipe" : "ignore", "pipe"] });
    let out = "";
    let err = "";
    child.stdout?.on("data", (d) => (out += d));
    child.stderr?.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on(
      "close",
      (code) =>
        code === 0 ? resolve(out) : reject(new Error(`Cannot run ${cmd}: exit ${code}: ${err.trim()}`)),
    );
  });
}

async function writeRandomFile(
  path: string,
  { size, buffer }: { size: number; buffer: Uint8Array },
): Promise<void> {
  const fh = await open(path, "w");
  try {
    for (let left = size; left > 0;) {
      const n = Math.min(left, buffer.length);
      randomFillSync(buffer, 0, n);
      // A quarter of each block is text: gzip gains a little, like real app bundles.
      buffer.fill(0x61, 0, n >> 2);
      await fh.write(buffer, 0, n);
      left -= n;
    }
  } finally {
    await fh.close();
  }
}

/** Source tree: 80% in 8 large files, 20% in small files (4 to 64 KiB) across 40 directories. */
async function buildTree(dir: string, totalBytes: number): Promise<number> {
  const buffer = new Uint8Array(4 * MIB);
  let files = 0;
  const large = Math.floor((totalBytes * 0.8) / 8);
  await mkdir(join(dir, "large"));
  for (let i = 0; i < 8; i++, files++) {
    await writeRandomFile(join(dir, "large", `blob${i}.bin`), { size: large, buffer });
  }
  let left = totalBytes - large * 8;
  for (let i = 0; left > 0; i++, files++) {
    const sub = join(dir, "small", `d${i % 40}`);
    if (i < 40) await mkdir(sub, { recursive: true });
    const size = Math.min(left, 4096 + ((i * 7919) % (60 * 1024)));
    await writeRandomFile(join(sub, `f${i}.dat`), { size, buffer });
    left -= size;
  }
  return files;
}

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

/**
 * Build the archive, run the baseline and our extractor, return the figures.
 *
 * @example
 * ```ts ignore
 * import { benchUntar, formatUntarTable } from "./untar.ts";
 * console.log(formatUntarTable(await benchUntar({ sizeMiB: 16 })));
 * ```
 */
export async function benchUntar(
  options: { sizeMiB?: number; log?: (line: string) => void } = {},
): Promise<UntarBenchResult> {
  const sizeMiB = options.sizeMiB ?? 512;
  if (!(sizeMiB >= 1)) throw new RangeError("Cannot run untar benchmark: sizeMiB must be at least 1");
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const tmp = await mkdtemp(join(tmpdir(), "drover-bench-untar-"));
  try {
    const src = join(tmp, "src");
    await mkdir(src);
    log(`building ${sizeMiB} MiB source tree…`);
    const files = await buildTree(src, sizeMiB * MIB);
    const archive = join(tmp, "app.tar.gz");
    log("archiving with tar | gzip -1…");
    await run("sh", ["-c", `tar -C "${src}" -cf - . | gzip -1 > "${archive}"`]);
    await rm(src, { recursive: true });
    const archiveMiB = (await stat(archive)).size / MIB;
    const contentMiB = sizeMiB;
    const rows: UntarBenchRow[] = [];
    const row = (name: string, seconds: number, peakRssMiB?: number) => {
      rows.push({
        name,
        seconds,
        mibPerSecond: archiveMiB / seconds,
        contentMibPerSecond: contentMiB / seconds,
        peakRssMiB,
      });
      log(`  ${name}: ${seconds.toFixed(2)} s`);
    };

    const baseline = join(tmp, "baseline");
    await mkdir(baseline);
    row("tar xzf (baseline)", await timeIt(() => run("tar", ["-xzf", archive, "-C", baseline])));
    await rm(baseline, { recursive: true });

    const child = fileURLToPath(new URL("./_untar_child.ts", import.meta.url));
    const config = fileURLToPath(new URL("../../deno.json", import.meta.url));
    const variants = [
      { name: "UntarStream+extractTo, fsync off", fsync: "nofsync", flags: [] },
      { name: "UntarStream+extractTo, fsync on", fsync: "fsync", flags: [] },
      // V8's young generation grows to tens of MiB under this allocation rate; capping it shows
      // what a device launcher can get with one flag (Node: --max-semi-space-size=1).
      {
        name: "UntarStream+extractTo, fsync off, V8 --max-semi-space-size=1",
        fsync: "nofsync",
        flags: ["--v8-flags=--max-semi-space-size=1"],
      },
    ];
    for (const [i, variant] of variants.entries()) {
      const dest = join(tmp, `ours-${i}`);
      await mkdir(dest);
      const args = ["run", "-A", ...variant.flags, "--config", config, child, archive, dest, variant.fsync];
      const out = await run(Deno.execPath(), args, { stdout: true });
      const result = JSON.parse(out.trim().split("\n").at(-1)!) as { ms: number; peakRssKiB: number };
      row(variant.name, result.ms / 1000, result.peakRssKiB / 1024);
      await rm(dest, { recursive: true });
    }
    return { archiveMiB, contentMiB, files, rows };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Markdown table of a result.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatUntarTable } from "./untar.ts";
 * const table = formatUntarTable({ archiveMiB: 1, contentMiB: 1, files: 1, rows: [] });
 * assert.ok(table.includes("| method |"));
 * ```
 */
export function formatUntarTable(result: UntarBenchResult): string {
  const lines = [
    `untar: ${result.archiveMiB.toFixed(0)} MiB .tar.gz, ${result.contentMiB} MiB in ${result.files} files`,
    "| method | seconds | archive MiB/s | content MiB/s | peak RSS MiB |",
    "|---|---:|---:|---:|---:|",
  ];
  for (const r of result.rows) {
    lines.push(
      `| ${r.name} | ${r.seconds.toFixed(2)} | ${r.mibPerSecond.toFixed(0)} | ${
        r.contentMibPerSecond.toFixed(0)
      } | ${r.peakRssMiB === undefined ? "n/a" : r.peakRssMiB.toFixed(0)} |`,
    );
  }
  return lines.join("\n");
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--size-mib");
  const sizeMiB = at >= 0 ? Number(args[at + 1]) : 512;
  if (args.includes("--help")) {
    process.stdout.write("Usage: deno run -A scripts/bench/untar.ts [--size-mib N] [--json]\n");
  } else {
    const result = await benchUntar({ sizeMiB });
    process.stdout.write(
      (args.includes("--json") ? JSON.stringify(result) : formatUntarTable(result)) + "\n",
    );
  }
}
