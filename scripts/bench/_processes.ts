/**
 * Child processes of the install benchmark (private to scripts/bench): run one to its end,
 * or measure its peak resident set size.
 * @module
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";

/** Runs argv; resolves to its peak RSS in KiB (GNU time when present, else VmHWM polling); `scratch` holds time's output. */
export async function execMeasured(argv: string[], scratch: string): Promise<number> {
  if (existsSync("/usr/bin/time")) {
    const out = join(scratch, `time-${process.pid}.txt`);
    await exec("/usr/bin/time", ["-f", "%M", "-o", out, ...argv]);
    const kib = Number((await readFile(out, "utf8")).trim().split("\n").at(-1));
    await rm(out, { force: true });
    return kib;
  }
  let peak = 0;
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "ignore", "pipe"] });
  const poll = setInterval(async () => {
    const status = await readFile(`/proc/${child.pid}/status`, "utf8").catch(() => "");
    const m = /VmHWM:\s+(\d+)/.exec(status);
    if (m) peak = Math.max(peak, Number(m[1]));
  }, 20);
  try {
    await waitFor(child, argv);
  } finally {
    clearInterval(poll);
  }
  return peak;
}

/** Runs `cmd args` with stdout ignored; rejects with its stderr tail on a non-zero exit. */
export function exec(cmd: string, args: string[]): Promise<void> {
  return waitFor(spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] }), [cmd, ...args]);
}

function waitFor(child: ReturnType<typeof spawn>, argv: string[]): Promise<void> {
  let stderr = "";
  child.stderr?.on("data", (d: Uint8Array) => (stderr = (stderr + d).slice(-4000)));
  return new Promise((ok, fail) => {
    child.on("error", fail);
    child.on("close", (code) => {
      if (code === 0) ok();
      else fail(new Error(`Cannot bench install: ${argv.join(" ")} exited ${code}\n${stderr.trim()}`));
    });
  });
}
