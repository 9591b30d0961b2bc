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
import { spawn } from "node:child_process";
import { randomFillSync } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, stat, symlink, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { exec, execMeasured } from "./_processes.ts";

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

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const DENO = typeof Deno !== "undefined" ? Deno.execPath() : "deno";
const APP = { name: "bench/big-app", ref: "main", commit: "b".repeat(40), oldCommit: "a".repeat(40) };

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
    const timings: Record<string, InstallBenchRow[]> = {};
    const idle: Record<string, number> = {};
    for (const runtime of runtimes) idle[runtime] = await idleRss(runtime, bundle);
    for (let run = 0; run < runs; run++) {
      log(`run ${run + 1}/${runs}: baseline (curl | tee >(openssl dgst -sha256) | tar xz)`);
      (timings.baseline ??= []).push(await baseline(url, join(work, "baseline-out")));
      for (const runtime of runtimes) {
        log(`run ${run + 1}/${runs}: drover update (${runtime})`);
        const row = await droverRun(runtime, work, repo, server.url, "update", { bundle });
        log(`run ${run + 1}/${runs}: drover check, then install (${runtime})`);
        const check = await droverRun(runtime, work, repo, server.url, "check", { bundle });
        const install = await droverRun(runtime, work, repo, server.url, "install", { keep: true, bundle });
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

/** Random (incompressible) 8 MiB files and up to 400 small text files (<= 3%): `sizeMiB` in all, gzip -1. */
async function makeRelease(work: string, sizeMiB: number, log: (line: string) => void) {
  const archive = join(work, "release.tar.gz");
  const content = join(work, "content");
  const marker = join(work, "release.done");
  if (existsSync(marker)) return { archive, contentBytes: Number(await readFile(marker, "utf8")) };
  log(`making a ${sizeMiB} MiB release (once; cached in ${work})`);
  await rm(work, { recursive: true, force: true });
  await mkdir(join(content, "data"), { recursive: true });
  await mkdir(join(content, "src"), { recursive: true });
  let bytes = 0;
  const big = new Uint8Array(8 << 20);
  const small = "export const line = 'the quick brown fox jumps over the lazy dog';\n".repeat(60);
  const smallCount = Math.min(400, Math.floor((sizeMiB * 1048576 * 0.03) / small.length));
  const bigBytes = sizeMiB * 1048576 - smallCount * small.length;
  for (let i = 0; bytes < bigBytes; i++) {
    const n = Math.min(big.length, bigBytes - bytes);
    randomFillSync(big);
    await writeFile(join(content, "data", `blob-${String(i).padStart(4, "0")}.bin`), big.subarray(0, n));
    bytes += n;
  }
  for (let i = 0; i < smallCount; i++) {
    await writeFile(join(content, "src", `module-${i}.js`), small);
    bytes += small.length;
  }
  await exec("bash", ["-c", `tar -cf - -C "${content}" . | gzip -1 > "${archive}.tmp"`]);
  await rename(`${archive}.tmp`, archive);
  await rm(content, { recursive: true, force: true });
  await writeFile(marker, String(bytes));
  return { archive, contentBytes: bytes };
}

async function makeRepo(work: string, archive: string, log: (line: string) => void): Promise<string> {
  const repo = join(work, "repo");
  if (existsSync(join(repo, "releases.json"))) return repo;
  log("publishing it with scripts/repo.ts");
  await rm(repo, { recursive: true, force: true });
  await rm(`${repo}.keys`, { recursive: true, force: true });
  const cli = [DENO, "run", "-A", join(ROOT, "scripts/repo.ts")] as const;
  await exec(cli[0], [...cli.slice(1), "init", "--repo", repo, "--keys", `${repo}.keys`]);
  const add = ["add-app", "--repo", repo, "--keys", `${repo}.keys`, "--name", APP.name, "--ref", APP.ref];
  await exec(cli[0], [...cli.slice(1), ...add, "--commit", APP.commit, "--file", archive]);
  return repo;
}

async function archiveUrl(repo: string): Promise<string> {
  const doc = JSON.parse(await readFile(join(repo, "releases.json"), "utf8"));
  const file = doc[APP.name]?.[APP.ref]?.file;
  if (typeof file !== "string") {
    throw new Error(`Cannot bench install: ${APP.name} missing from releases.json`);
  }
  return file.replace(/^\//, "");
}

/**
 * Python's static file server (`http.server`, threaded) on 127.0.0.1, port 0, in its own process. It
 * exits when its stdin closes, so it never outlives this process, however that ends.
 */
const SERVER_PY = `
import functools, http.server, sys, threading
http.server.SimpleHTTPRequestHandler.log_message = lambda *args: None
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
print("port", server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
`;

function startServer(dir: string): Promise<{ url: string; close(): void }> {
  const child = spawn("python3", ["-u", "-c", SERVER_PY, dir], { stdio: ["pipe", "pipe", "ignore"] });
  return new Promise((ok, fail) => {
    let out = "";
    child.on("error", fail);
    child.stdout.on("data", (d: Uint8Array) => {
      out += d;
      const m = /port (\d+)/.exec(out);
      if (m) ok({ url: `http://127.0.0.1:${m[1]}`, close: () => child.stdin.end() });
    });
    child.on("exit", (code) => fail(new Error(`Cannot serve ${dir}: python3 exited ${code}`)));
  });
}

async function baseline(url: string, out: string): Promise<InstallBenchRow> {
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await exec("sync", []);
  const started = performance.now();
  await exec("bash", [
    "-c",
    `set -o pipefail; curl -sf "${url}" | tee >(openssl dgst -sha256 >/dev/null) | tar xz -C "${out}"`,
  ]);
  return { name: "baseline", seconds: (performance.now() - started) / 1000, ratio: 1 };
}

/** A device with an older release of the app installed (radiodan-style, made by hand) and a fresh workspace. */
async function freshDevice(work: string, repo: string) {
  const device = join(work, "device");
  await rm(device, { recursive: true, force: true });
  const release = join(device, "target/big-app/releases/0-aaaaaaaaaaaa");
  await mkdir(release, { recursive: true });
  await writeFile(
    join(release, ".deploy"),
    JSON.stringify({ name: APP.name, ref: APP.ref, commit: APP.oldCommit }),
  );
  await symlink("releases/0-aaaaaaaaaaaa", join(device, "target/big-app/current"));
  await mkdir(join(device, "workspace"), { recursive: true });
  return {
    target: join(device, "target"),
    workspace: join(device, "workspace"),
    root: join(repo, "tuf/1.root.json"),
  };
}

async function droverRun(
  runtime: "node" | "deno",
  work: string,
  repo: string,
  api: string,
  command: "update" | "check" | "install",
  o: { keep?: boolean; bundle: string },
): Promise<InstallBenchRow> {
  const device = o.keep
    ? {
      target: join(work, "device/target"),
      workspace: join(work, "device/workspace"),
      root: join(repo, "tuf/1.root.json"),
    }
    : await freshDevice(work, repo);
  const args = [command, "--target", device.target, "--workspace", device.workspace];
  if (command !== "install") args.push("--api", api, "--trusted-root", device.root);
  const bundle = o.bundle;
  const argv = runtime === "node" ? ["node", bundle, ...args] : [DENO, "run", "-A", bundle, ...args];
  await exec("sync", []);
  const started = performance.now();
  const peakKiB = await execMeasured(argv, join(ROOT, ".bench"));
  const seconds = (performance.now() - started) / 1000;
  return { name: `drover ${command} (${runtime})`, seconds, ratio: 0, peakRssMiB: peakKiB / 1024 };
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
