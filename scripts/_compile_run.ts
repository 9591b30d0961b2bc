/**
 * Private to scripts/ (`compile.ts`): running the tools that make the binaries, and the small file and
 * hash helpers the build steps share.
 * @module
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { rm, stat } from "node:fs/promises";
import process from "node:process";

/** Runs `cmd args`; resolves with its stdout, rejects with its output (a `data:` URL shortened) unless it exits 0. */
export function run(
  cmd: string,
  args: string[],
  o: { cwd: string; log: (line: string) => void; env?: Record<string, string | undefined>; quiet?: boolean },
): Promise<{ stdout: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, {
      cwd: o.cwd,
      env: o.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Uint8Array) => (stdout += d));
    child.stderr.on("data", (d: Uint8Array) => (stderr += d));
    child.on("error", (e) => reject(new Error(`Cannot run ${cmd}: ${e.message}`, { cause: e })));
    child.on("close", (code) => {
      if (code === 0) {
        if (!o.quiet && stderr.trim()) o.log(stderr.trim());
        return resolveRun({ stdout });
      }
      const output = (stderr || stdout).trim().replace(
        /data:text\/javascript;base64,[A-Za-z0-9+/=]+/g,
        "drover.mjs",
      );
      reject(new Error(`Cannot run ${cmd} ${args.join(" ")}: exit ${code}: ${output.slice(0, 4000)}`));
    });
  });
}

/** A catch handler that removes `path`, then rethrows. */
export function removing(path: string): (error: unknown) => Promise<never> {
  return async (error) => {
    await rm(path, { force: true });
    throw error;
  };
}

/** The sha256 of `data`, in hex. */
export function digest(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Whether `path` exists. */
export async function exists(path: string): Promise<boolean> {
  return await stat(path).then(() => true, () => false);
}
