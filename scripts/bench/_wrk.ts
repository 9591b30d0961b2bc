/**
 * Private to scripts/bench (the edge benchmark): one `wrk` run against a server in another process,
 * with the server's CPU time per request read from /proc (steadier than requests/s on a shared
 * machine), and how rounds combine (the best of each figure, every round's requests/s kept).
 * @module
 */
import { cpuMicros } from "./_cpu_micros.ts";

/** What the rounds against one URL measured. */
export interface Measure {
  rps: number;
  /** Requests/s of every round (for the median). */
  all: number[];
  /** Server CPU per request: robust to other load on the machine. */
  cpuUs: number;
}

/** Loads `server.url` with `wrk` (the same settings for every server); throws on any error response. */
export async function wrk(
  server: { url: string; pid: number },
  o: { durationS: number; connections: number; threads: number },
): Promise<Measure> {
  const { url, pid } = server;
  const cpu0 = await cpuMicros(pid);
  const out = await new Deno.Command("wrk", {
    args: [`-t${o.threads}`, `-c${o.connections}`, `-d${o.durationS}s`, url],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const cpu1 = await cpuMicros(pid);
  const text = new TextDecoder().decode(out.stdout);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]);
  const requests = Number(/(\d+) requests in/.exec(text)?.[1]);
  if (!out.success || !(rps > 0) || !(requests > 0)) {
    throw new Error(`Cannot measure ${url} with wrk: ${text}${new TextDecoder().decode(out.stderr)}`);
  }
  if (/Non-2xx or 3xx responses/.test(text)) {
    throw new Error(`Cannot measure ${url}: error responses\n${text}`);
  }
  return { rps, all: [rps], cpuUs: (cpu1 - cpu0) / requests };
}

/** `a` and `b` combined: the higher requests/s, both rounds' requests/s, the lower CPU per request. */
export function better(a: Measure | undefined, b: Measure): Measure {
  return !a
    ? b
    : { rps: Math.max(a.rps, b.rps), all: [...a.all, ...b.all], cpuUs: Math.min(a.cpuUs, b.cpuUs) };
}
