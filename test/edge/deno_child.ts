/**
 * Test and benchmark helper: runs `deno task start` (the command of deno.json's `start` task)
 * in a child process on 127.0.0.1 and an OS-chosen port; collects its stderr.
 * @module
 */
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** A running Deno edge. */
export interface DenoEdge {
  url: string;
  /** Process id of the server (for CPU accounting in benchmarks). */
  pid: number;
  /** What the server wrote to stderr so far. */
  log(): string;
  /** Stops the server (SIGTERM) and returns everything it wrote to stderr. */
  stop(): Promise<string>;
}

/** The `start` task's command line with `deno` replaced by this Deno's executable. */
export async function startTaskArgs(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const words = String(config.tasks.start).split(/\s+/);
  if (words[0] !== "deno") throw new TypeError("Cannot run start task: it does not start with 'deno'");
  return words.slice(1);
}

/** Starts the server on `data` with `env` added; resolves once it listens. */
export async function startDenoEdge(data: string, env: Record<string, string> = {}): Promise<DenoEdge> {
  const child = new Deno.Command(Deno.execPath(), {
    args: await startTaskArgs(),
    cwd: ROOT,
    env: { DROVER_DATA: data, HOST: "127.0.0.1", PORT: "0", NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let log = "";
  const { promise: listening, resolve: found, reject: failed } = Promise.withResolvers<string>();
  const reading = (async () => {
    let listening = false;
    for await (const text of child.stderr.pipeThrough(new TextDecoderStream())) {
      log += text;
      if (log.length > 4 * 1024 * 1024) log = log.slice(-2 * 1024 * 1024); // keep the tail of long runs
      if (listening) continue;
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(log);
      if (match) {
        listening = true;
        found(match[1]!);
      }
    }
    failed(new Error(`Cannot start edge: exited before listening\n${log}`));
  })();
  let url: string;
  try {
    url = await listening;
  } catch (error) {
    await child.status;
    await reading;
    throw error;
  }
  return {
    url,
    pid: child.pid,
    log: () => log,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      await child.status;
      await reading;
      return log;
    },
  };
}
