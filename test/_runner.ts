/**
 * Private to test/ (re-exported by `harness.ts`): the child processes of the device suites. Any
 * command with a timeout, the bundled `drover` CLI (under Node unless `runtime` or env
 * `DROVER_TEST_RUNTIME` says Deno, or a compiled binary), the bundles built when older than the
 * sources, and the repository CLI (`scripts/repo.ts`, from source).
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root. */
export const ROOT: string = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The bundled CLI the tests run. */
export const DROVER_MJS: string = join(ROOT, "dist/drover.mjs");
/** The bundled repository CLI. */
export const DROVER_REPO_MJS: string = join(ROOT, "dist/drover-repo.mjs");
const DENO = Deno.execPath();

/** Output of a finished child process. */
export interface RunResult {
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
}

/** Options of {@linkcode runDrover} and {@linkcode runCommand}. */
export interface RunOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** Kill (SIGKILL) and throw after this long (default 60 s). */
  timeoutMs?: number;
  /** Which runtime runs dist/drover.mjs (default env DROVER_TEST_RUNTIME, else "node"). */
  runtime?: "node" | "deno";
  /** Run this executable instead of dist/drover.mjs (a compiled binary). */
  executable?: string;
}

/** Runs `cmd args` to completion with a timeout; never throws for a non-zero exit. */
export async function runCommand(cmd: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const child = new Deno.Command(cmd, {
    args,
    cwd: options.cwd ?? ROOT,
    env: { NO_COLOR: "1", ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timeoutMs = options.timeoutMs ?? 60_000;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  const out = await child.output().finally(() => clearTimeout(timer));
  const result = {
    code: out.code,
    signal: out.signal,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
  if (timedOut) {
    throw new Error(`${cmd} ${args.join(" ")} timed out after ${timeoutMs} ms:\n${result.stderr}`);
  }
  return result;
}

/** The command line that runs `drover args` (bundle under node or deno, or a compiled binary). */
export function droverCommand(args: string[], options: RunOptions = {}): [string, string[]] {
  if (options.executable) return [options.executable, args];
  const runtime = options.runtime ?? (Deno.env.get("DROVER_TEST_RUNTIME") === "deno" ? "deno" : "node");
  return runtime === "deno" ? [DENO, ["run", "-A", DROVER_MJS, ...args]] : ["node", [DROVER_MJS, ...args]];
}

/** Runs the `drover` CLI to completion (see {@linkcode RunOptions}). */
export async function runDrover(args: string[], options: RunOptions = {}): Promise<RunResult> {
  await ensureBundle();
  const [cmd, argv] = droverCommand(args, options);
  return await runCommand(cmd, argv, options);
}

/** Starts the `drover` CLI without waiting (for kill tests); stdout/stderr are discarded. */
export async function spawnDrover(args: string[], options: RunOptions = {}): Promise<Deno.ChildProcess> {
  await ensureBundle();
  const [cmd, argv] = droverCommand(args, options);
  return new Deno.Command(cmd, {
    args: argv,
    cwd: options.cwd ?? ROOT,
    env: { NO_COLOR: "1", ...options.env },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory && e.name !== "node_modules" && !e.name.startsWith(".")) {
      newest = Math.max(newest, await newestSource(p));
    } else if (e.isFile && e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) {
      newest = Math.max(newest, (await Deno.stat(p)).mtime?.getTime() ?? 0);
    }
  }
  return newest;
}

let built: Promise<void> | undefined;

/** Builds dist/drover.mjs and dist/drover-repo.mjs unless they are newer than every source (once per process). */
export function ensureBundle(): Promise<void> {
  return built ??= (async () => {
    const sources = Math.max(
      ...(await Promise.all(["core", "device", "scripts"].map((d) => newestSource(join(ROOT, d))))),
      (await Deno.stat(join(ROOT, "deno.json"))).mtime?.getTime() ?? 0,
    );
    const age = async (p: string) => (await Deno.stat(p).catch(() => undefined))?.mtime?.getTime() ?? 0;
    if ((await age(DROVER_MJS)) > sources && (await age(DROVER_REPO_MJS)) > sources) return;
    const out = await new Deno.Command(DENO, {
      args: ["run", "-A", join(ROOT, "scripts/build.ts"), "drover", "repo"],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) throw new Error(`Cannot build bundles: ${new TextDecoder().decode(out.stderr)}`);
  })();
}

/** Runs `scripts/repo.ts args` (from source, under Deno) to its end, whatever its exit code. */
export function runRepo(args: string[]): Promise<RunResult> {
  return runCommand(DENO, ["run", "-A", "--quiet", join(ROOT, "scripts/repo.ts"), ...args], {
    timeoutMs: 120_000,
  });
}

/** Runs `scripts/repo.ts args` and throws with its stderr unless it exits 0. */
export async function repoCli(args: string[]): Promise<string> {
  const r = await runRepo(args);
  if (r.code !== 0) throw new Error(`Cannot run repo ${args.join(" ")}: exit ${r.code}\n${r.stderr}`);
  return r.stdout;
}
