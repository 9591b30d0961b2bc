/**
 * Install benchmark (DESIGN §7): `drover update` of a large app release over loopback against, in the
 * same run and on the same archive, the native baseline
 * `curl -s URL | tee >(openssl dgst -sha256 >/dev/null) | tar xz -C DIR`.
 *
 * The release (`.bench/install-<size>/release.tar.gz`: mostly incompressible files plus a few hundred
 * small ones, gzip -1) and its repository (`scripts/repo.ts`) are made once and reused. The repository
 * is served by Python's `http.server` in its own process, so the server does not compete with the
 * measured process. Peak RSS comes from GNU time (`/usr/bin/time -f %M`) when present, else from
 * polling `VmHWM` in `/proc/<pid>/status`. Beside it, the runtime's own idle RSS: the peak of `drover --version`
 * on the same runtime and bundle (the runtime and the bundle loaded, nothing streamed). Targets: time within 1.3x
 * the baseline, peak RSS within 32 MiB of the idle RSS.
 *
 * The parts are private files beside this one: `_install_release.ts` (the release and its repository),
 * `_python_server.ts`, `_install_contenders.ts` (one timed run of each contender), `_processes.ts`.
 *
 * Run: `deno run -A scripts/bench/install.ts [--size-mib 512] [--runs 1] [--runtime node|deno]… [--bundle FILE]`
 *
 * @example
 * ```ts ignore
 * import { benchInstall } from "./install.ts";
 * const result = await benchInstall({ sizeMiB: 64, runtimes: ["node"] });
 * console.log(result.rows);
 * ```
 * @module
 */
import { existsSync } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import process from "node:process";
import { exec, execMeasured } from "./_processes.ts";
import { DENO, ROOT } from "./_install_constants.ts";
import { archiveUrl, makeRelease, makeRepo } from "./_install_release.ts";
import { startServer } from "./_python_server.ts";
import { baseline, droverRun } from "./_install_contenders.ts";

/** Options of {@linkcode benchInstall}. */
export interface InstallBenchOptions {
  /** Size of the release archive's content in MiB (default 512). */
  sizeMiB?: number;
  /** Runtimes that run dist/drover.mjs (default node and deno). */
  runtimes?: readonly ("node" | "deno")[];
  /** Timed runs of each contender; the median is reported (default 1). */
  runs?: number;
  /** Working directory (default `.bench/` in the repository). */
  workDir?: string;
  /** Progress lines (default stderr). */
  log?: (line: string) => void;
  /** The bundle to run (default dist/drover.mjs; a copy lets you edit while it runs). */
  bundle?: string;
}

/** One contender's figures (medians over the runs). */
export interface InstallBenchRow {
  name: string;
  seconds: number;
  /** Relative to the baseline's time. */
  ratio: number;
  /** Peak resident set size of the measured process, MiB (drover only). */
  peakRssMiB?: number;
  /** Peak RSS of `drover --version` on the same runtime (the runtime's idle footprint), MiB (drover only). */
  idleRssMiB?: number;
  /** `check` and `install` run separately (download+verify, then verify+extract+fsync+switch). */
  phases?: { checkSeconds: number; installSeconds: number };
}

/** Result of {@linkcode benchInstall}. */
export interface InstallBenchResult {
  archiveBytes: number;
  contentBytes: number;
  rows: InstallBenchRow[];
  /** Human-readable table (also printed by the CLI). */
  table: string;
}

/**
 * Runs the benchmark and resolves to its figures; throws if a contender fails.
 *
 * @example
 * ```ts ignore
 * import { benchInstall } from "./install.ts";
 * console.log((await benchInstall({ sizeMiB: 32, runtimes: ["node"] })).table);
 * ```
 */
export async function benchInstall(options: InstallBenchOptions = {}): Promise<InstallBenchResult> {
  const sizeMiB = options.sizeMiB ?? 512;
  if (!(sizeMiB >= 1)) throw new RangeError(`Cannot bench install: size ${sizeMiB} MiB`);
  const runs = options.runs ?? 1;
  const runtimes = options.runtimes ?? ["node", "deno"];
  const log = options.log ?? ((line: string) => process.stderr.write(`bench install: ${line}\n`));
  const work = resolve(options.workDir ?? join(ROOT, ".bench"), `install-${sizeMiB}`);
  const { archive, contentBytes } = await makeRelease(work, sizeMiB, log);
  const repo = await makeRepo(work, archive, log);
  const bundle = resolve(options.bundle ?? join(ROOT, "dist/drover.mjs"));
  if (!options.bundle) await ensureBundle(log);
  const server = await startServer(repo);
  try {
    const url = `${server.url}/${await archiveUrl(repo)}`;
    /** Where each drover run works: its device (under `work`), repository and bundle. */
    const at = { work, repo, api: server.url, bundle };
    const timings: Record<string, InstallBenchRow[]> = {};
    const idle: Record<string, number> = {};
    for (const runtime of runtimes) idle[runtime] = await idleRss(runtime, bundle);
    for (let run = 0; run < runs; run++) {
      log(`run ${run + 1}/${runs}: baseline (curl | tee >(openssl dgst -sha256) | tar xz)`);
      (timings.baseline ??= []).push(await baseline(url, join(work, "baseline-out")));
      for (const runtime of runtimes) {
        log(`run ${run + 1}/${runs}: drover update (${runtime})`);
        const row: InstallBenchRow = await droverRun(runtime, "update", at);
        log(`run ${run + 1}/${runs}: drover check, then install (${runtime})`);
        const check = await droverRun(runtime, "check", at);
        const install = await droverRun(runtime, "install", { ...at, keep: true });
        row.phases = { checkSeconds: check.seconds, installSeconds: install.seconds };
        row.peakRssMiB = Math.max(row.peakRssMiB ?? 0, check.peakRssMiB ?? 0, install.peakRssMiB ?? 0);
        row.idleRssMiB = idle[runtime];
        (timings[`drover update (${runtime})`] ??= []).push(row);
      }
    }
    const base = median(timings.baseline!.map((r) => r.seconds));
    const rows = Object.entries(timings).map(([name, list]): InstallBenchRow => {
      const seconds = median(list.map((r) => r.seconds));
      const row: InstallBenchRow = { name, seconds, ratio: seconds / base };
      if (list[0]!.peakRssMiB !== undefined) row.peakRssMiB = Math.max(...list.map((r) => r.peakRssMiB ?? 0));
      if (list[0]!.idleRssMiB !== undefined) row.idleRssMiB = list[0]!.idleRssMiB;
      if (list[0]!.phases) {
        row.phases = {
          checkSeconds: median(list.map((r) => r.phases!.checkSeconds)),
          installSeconds: median(list.map((r) => r.phases!.installSeconds)),
        };
      }
      return row;
    });
    const archiveBytes = (await stat(archive)).size;
    return { archiveBytes, contentBytes, rows, table: table(rows, archiveBytes, contentBytes) };
  } finally {
    server.close();
    await rm(join(work, "baseline-out"), { recursive: true, force: true });
    await rm(join(work, "device"), { recursive: true, force: true });
  }
}

async function ensureBundle(log: (line: string) => void): Promise<void> {
  if (existsSync(join(ROOT, "dist/drover.mjs"))) return;
  log("dist/drover.mjs missing: running deno task build");
  await exec(DENO, ["task", "build"]);
}

/** The runtime's idle footprint: median peak RSS (MiB) of three `drover --version` runs of `bundle`. */
async function idleRss(runtime: "node" | "deno", bundle: string): Promise<number> {
  const argv = runtime === "node" ? ["node", bundle, "--version"] : [DENO, "run", "-A", bundle, "--version"];
  const peaks: number[] = [];
  for (let i = 0; i < 3; i++) peaks.push((await execMeasured(argv, join(ROOT, ".bench"))) / 1024);
  return median(peaks);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function table(rows: InstallBenchRow[], archiveBytes: number, contentBytes: number): string {
  const mib = (n: number) => (n / 1048576).toFixed(0);
  const lines = [
    `install benchmark: archive ${mib(archiveBytes)} MiB (.tar.gz, gzip -1), content ${
      mib(contentBytes)
    } MiB`,
    "targets: time <= 1.3x baseline, peak RSS <= idle RSS + 32 MiB (idle: `drover --version`, same runtime)",
    "",
    "| contender | time (s) | vs baseline | peak RSS (MiB) | idle RSS (MiB) | peak - idle | check (s) | install (s) |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
  ];
  const fixed = (n: number | undefined, digits = 1) => n?.toFixed(digits) ?? "-";
  for (const r of rows) {
    const over = r.peakRssMiB !== undefined && r.idleRssMiB !== undefined
      ? r.peakRssMiB - r.idleRssMiB
      : undefined;
    lines.push(
      `| ${r.name} | ${r.seconds.toFixed(2)} | ${r.ratio.toFixed(2)}x | ${fixed(r.peakRssMiB)} | ` +
        `${fixed(r.idleRssMiB)} | ${fixed(over)} | ${fixed(r.phases?.checkSeconds, 2)} | ` +
        `${fixed(r.phases?.installSeconds, 2)} |`,
    );
  }
  return lines.join("\n");
}

const USAGE =
  "Usage: deno run -A scripts/bench/install.ts [--size-mib 512] [--runs N] [--runtime node|deno]… [--bundle FILE] [--json]\n";

async function main(args: string[]): Promise<number> {
  const options: InstallBenchOptions = {};
  const runtimes: ("node" | "deno")[] = [];
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--size-mib") options.sizeMiB = Number(args[++i]);
    else if (a === "--runs") options.runs = Number(args[++i]);
    else if (a === "--runtime" && (args[i + 1] === "node" || args[i + 1] === "deno")) {
      runtimes.push(args[++i] as "node");
    } else if (a === "--bundle") options.bundle = args[++i];
    else if (a === "--json") json = true;
    else {
      process.stderr.write(USAGE);
      return a === "--help" ? 0 : 2;
    }
  }
  if (runtimes.length) options.runtimes = runtimes;
  const result = await benchInstall(options);
  process.stdout.write(json ? JSON.stringify(result, null, 2) + "\n" : result.table + "\n");
  return 0;
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
