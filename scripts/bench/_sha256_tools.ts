/**
 * Private to scripts/bench (the sha256 benchmark): a command-line hasher (`openssl dgst`, `sha256sum`)
 * run on a file, timed, under GNU time when present for its CPU seconds.
 * @module
 */
import type { Timed } from "./_sha256_timed.ts";

const GNU_TIME = "/usr/bin/time";

async function hasGnuTime(): Promise<boolean> {
  try {
    return (await Deno.stat(GNU_TIME)).isFile;
  } catch {
    return false;
  }
}

/** Runs `argv path`, under GNU time when present (for its CPU seconds); the digest is stdout's first word. */
export async function runTool(argv: string[], path: string): Promise<Timed> {
  const timed = await hasGnuTime();
  const full = timed ? [GNU_TIME, "-f", "cpu %U %S", ...argv, path] : [...argv, path];
  const [cmd, ...args] = full as [string, ...string[]];
  const start = performance.now();
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  const seconds = (performance.now() - start) / 1000;
  const stderr = new TextDecoder().decode(out.stderr).trim();
  if (!out.success) throw new Error(`Cannot run ${argv[0]}: ${stderr || `exit ${out.code}`}`);
  const digest = new TextDecoder().decode(out.stdout).trim().split(/\s+/)[0]!.toLowerCase();
  const cpu = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
  return { seconds, digest, cpuSeconds: cpu ? Number(cpu[1]) + Number(cpu[2]) : undefined };
}
