/**
 * Edge benchmark (DESIGN §7: 0.8x or better of a bare `Deno.serve`; resolution of 10,000 versions
 * under 1 ms after warm-up).
 *
 * In the same run, each server in its own process on 127.0.0.1: bare `Deno.serve`s returning a
 * constant body (baselines: `hello`, and the same bytes as the edge's `/releases`), and `deno task
 * start` (edge/deno.ts, request log on) over a fixture repository. Besides requests/s, the server's
 * CPU time per request (from /proc) is reported: on a shared machine it is the steadier figure. `wrk` (`/usr/bin/wrk`) loads `GET /releases` and `GET /v1/images/<type>/latest`
 * (302), alternating baseline and edge runs; the best of `--runs` rounds is reported. Then `resolveVersion` over 10,000 image versions
 * (exact, range, `latest`, `recommended`), median after warm-up, and the same through the app in
 * process with the edge's resolution cache defeated (a different range each request).
 *
 * Run: `npx -y deno@2.9.6 run -A scripts/bench/edge.ts [--duration 5] [--connections 64] [--runs 3] [--json]`
 *
 * @example
 * ```ts ignore
 * import { benchEdge } from "./edge.ts";
 * const { table } = await benchEdge({ durationS: 3 });
 * console.log(table);
 * ```
 * @module
 */
import { resolveVersion } from "../../core/version/mod.ts";
import { createApp } from "../../edge/app.ts";
import { FsStorage } from "../../edge/storage/fs_storage.ts";
import { startDenoEdge } from "../../edge/_deno_child.ts";
import { writeKeys } from "../../edge/_key_files.ts";
import { fixtureKeys, writeFixture } from "../../edge/_fixture.ts";

/** Options of {@linkcode benchEdge}. */
export interface EdgeBenchOptions {
  /** Seconds per wrk run (default 5). */
  durationS?: number;
  /** wrk connections (default 64) and threads (default 2). */
  connections?: number;
  threads?: number;
  /** Alternating rounds of wrk runs; the best per target is kept (default 3). */
  runs?: number;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

/** One measured figure. */
export interface EdgeBenchRow {
  name: string;
  value: number;
  unit: string;
  /** Ratio of requests/s to the baseline (requests/s rows). */
  ratio?: number;
  /** Server CPU time per request, µs, and the baseline's divided by it (requests/s rows). */
  cpuUs?: number;
  cpuRatio?: number;
  target: string;
}

/** A bare Deno.serve answering every request with the constant body given as its argument. */
const BARE = `const body = Deno.args[0]; Deno.serve({ hostname: "127.0.0.1", port: 0, ` +
  `onListen: ({ port }) => console.error("listening on http://127.0.0.1:" + port + "/") }, () => new Response(body));`;

/** User+system CPU time of a process, in microseconds (Linux /proc). */
async function cpuMicros(pid: number): Promise<number> {
  const fields = (await Deno.readTextFile(`/proc/${pid}/stat`)).replace(/^.*\) /, "").split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10_000; // utime + stime, USER_HZ = 100
}

interface Measure {
  rps: number;
  /** Server CPU per request: robust to other load on the machine. */
  cpuUs: number;
}

async function wrk(
  server: { url: string; pid: number },
  o: Required<Omit<EdgeBenchOptions, "log">>,
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
  return { rps, cpuUs: (cpu1 - cpu0) / requests };
}

function better(a: Measure | undefined, b: Measure): Measure {
  return !a ? b : { rps: Math.max(a.rps, b.rps), cpuUs: Math.min(a.cpuUs, b.cpuUs) };
}

async function startBare(body: string): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", BARE, body],
    stdout: "null",
    stderr: "piped",
  })
    .spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/listening on (http:\/\/127\.0\.0\.1:\d+)/.test(text)) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`Cannot start bare server: ${text}`);
    text += value;
  }
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text)![1]!;
  return {
    url,
    pid: child.pid,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await reader.cancel();
    },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function timeMedian(fn: (i: number) => unknown, options: { warmup?: number; runs?: number } = {}): number {
  const { warmup = 200, runs = 1000 } = options;
  for (let i = 0; i < warmup; i++) fn(i);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn(i);
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** 10,000 image versions: 2,000 minors x 5 revisions, every 10th a pre-release, half with a dev variant. */
function versions(): { version: string; prerelease: boolean; variant: "prod" | "dev" }[] {
  const out: { version: string; prerelease: boolean; variant: "prod" | "dev" }[] = [];
  for (let i = 0; out.length < 10_000; i++) {
    const base = `${2 + Math.floor(i / 100)}.${i % 100}.0`;
    const pre = i % 10 === 9;
    out.push({
      version: pre ? `${base}-beta.1` : `${base}+rev1`,
      prerelease: pre,
      variant: i % 2 ? "dev" : "prod",
    });
  }
  return out;
}

/** Runs the benchmark; returns rows and a printable table. */
export async function benchEdge(
  options: EdgeBenchOptions = {},
): Promise<{ rows: EdgeBenchRow[]; table: string }> {
  const o = {
    durationS: options.durationS ?? 5,
    connections: options.connections ?? 64,
    threads: options.threads ?? 2,
    runs: options.runs ?? 3,
  };
  const log = options.log ?? ((line: string) => console.error(line));
  const rows: EdgeBenchRow[] = [];
  const dir = await Deno.makeTempDir({ prefix: "bench-edge-" });
  try {
    const keys = await fixtureKeys();
    await writeFixture(new FsStorage(dir), keys);
    await writeKeys(`${dir}/keys`, keys);

    // All servers run side by side (idle ones cost nothing); runs alternate so that load from other
    // processes on the machine hits baselines and edge alike. Baselines: a tiny constant body, and
    // the same bytes the edge's /releases returns (same payload, so only the framework differs).
    const edge = await startDenoEdge(dir);
    const releases = await (await fetch(`${edge.url}/releases`)).text();
    const hello = await startBare("hello");
    const same = await startBare(releases);
    const best: Record<string, Measure | undefined> = {};
    try {
      for (let round = 0; round < o.runs; round++) {
        log(`round ${round + 1}/${o.runs} …`);
        best.hello = better(best.hello, await wrk({ url: `${hello.url}/`, pid: hello.pid }, o));
        best.same = better(best.same, await wrk({ url: `${same.url}/`, pid: same.pid }, o));
        best.releases = better(best.releases, await wrk({ url: `${edge.url}/releases`, pid: edge.pid }, o));
        best.redirect = better(
          best.redirect,
          await wrk({ url: `${edge.url}/v1/images/rpi4/latest`, pid: edge.pid }, o),
        );
      }
    } finally {
      await hello.stop();
      await same.stop();
      await edge.stop();
    }
    const row = (name: string, r: { m: Measure; base: Measure; target: string }): EdgeBenchRow => ({
      name,
      value: r.m.rps,
      unit: "req/s",
      ratio: r.m.rps / r.base.rps,
      cpuUs: r.m.cpuUs,
      cpuRatio: r.base.cpuUs / r.m.cpuUs,
      target: r.target,
    });
    rows.push(row("bare Deno.serve, 'hello'", { m: best.hello!, base: best.hello!, target: "baseline" }));
    rows.push(
      row(`bare Deno.serve, same ${releases.length} B as /releases`, {
        m: best.same!,
        base: best.same!,
        target: "baseline",
      }),
    );
    rows.push(
      row("edge GET /releases vs 'hello'", { m: best.releases!, base: best.hello!, target: ">= 0.8x" }),
    );
    rows.push(
      row("edge GET /releases vs same body", { m: best.releases!, base: best.same!, target: ">= 0.8x" }),
    );
    rows.push(
      row("edge GET /v1/images/rpi4/latest (302) vs 'hello'", {
        m: best.redirect!,
        base: best.hello!,
        target: ">= 0.8x",
      }),
    );

    log("resolution over 10,000 versions …");
    const list = versions();
    for (const request of ["5.50.0+rev1", "^80.0.0", ">=3 <50", "latest", "recommended"]) {
      const ms = timeMedian(() => resolveVersion(list, request, { variant: "prod" }));
      rows.push({
        name: `resolveVersion(10k, '${request}')`,
        value: ms,
        unit: "ms (median)",
        target: "< 1 ms",
      });
    }
    const images = list.map((v) => ({
      deviceType: "raspberrypi4-64",
      version: v.version,
      prerelease: v.prerelease,
      variant: v.variant,
      bytes: new Uint8Array(1),
    }));
    const repo = await Deno.makeTempDir({ prefix: "bench-edge-10k-" });
    try {
      const storage = new FsStorage(repo);
      const { createDevRepository } = await import("../../edge/dev_repository.ts");
      await createDevRepository(storage, {
        content: { deviceTypes: [{ slug: "raspberrypi4-64", aliases: ["rpi4"] }], apps: [], images },
      });
      const app = createApp({ storage });
      for (let i = 0; i < 200; i++) {
        await (await app.request(`/v1/images/rpi4/%5E${2 + (i % 100)}.0.0`)).arrayBuffer();
      }
      const times: number[] = [];
      for (let i = 0; i < 1000; i++) {
        const t0 = performance.now();
        const res = await app.request(
          `/v1/images/rpi4/${encodeURIComponent(`>=${2 + (i % 100)}.${i % 97}.0`)}`,
        );
        await res.arrayBuffer();
        times.push(performance.now() - t0);
      }
      const ms = median(times);
      rows.push({
        name: "edge route, 10k versions, cache miss (in process)",
        value: ms,
        unit: "ms (median)",
        target: "< 1 ms",
      });
    } finally {
      await Deno.remove(repo, { recursive: true });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const table = [
    "| measurement | value | ratio | server CPU/req | CPU ratio | target |",
    "|---|---:|---:|---:|---:|---|",
    ...rows.map((r) =>
      r.unit === "req/s"
        ? `| ${r.name} | ${Math.round(r.value).toLocaleString("en")} req/s | ${r.ratio!.toFixed(2)}x | ${
          r.cpuUs!.toFixed(1)
        } µs | ${r.cpuRatio!.toFixed(2)}x | ${r.target} |`
        : `| ${r.name} | ${r.value.toFixed(3)} ${r.unit} | | | | ${r.target} |`
    ),
  ].join("\n");
  return { rows, table };
}

/** CLI entry. */
export async function main(args: string[]): Promise<number> {
  if (args.includes("--help")) {
    console.log(
      "Usage: deno run -A scripts/bench/edge.ts [--duration 5] [--connections 64] [--runs 3] [--json]",
    );
    return 0;
  }
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? Number(args[i + 1]) : undefined;
  };
  const result = await benchEdge({
    durationS: value("--duration"),
    connections: value("--connections"),
    runs: value("--runs"),
  });
  console.log(args.includes("--json") ? JSON.stringify(result.rows) : result.table);
  return 0;
}

if (import.meta.main) Deno.exitCode = await main(Deno.args);
