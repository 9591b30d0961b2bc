/**
 * Edge benchmark (DESIGN §7: 0.8x or better of a bare `Deno.serve`; resolution of 10,000 versions
 * under 1 ms after warm-up).
 *
 * In the same run, each server in its own process on 127.0.0.1 (so the benchmark's own process does not
 * compete with them): bare `Deno.serve`s answering every request with one constant response, and
 * `deno task start` (edge/deno.ts, request log on) over a fixture repository. The fair baselines are
 * bare servers returning the same response as the edge route: the same `/releases` bytes with the same
 * `Content-Type`, and the same 302 with the same headers; the ratio to a bare `hello` (no headers at all)
 * is reported too. A bare handler that takes no argument lets Deno skip creating the `Request` object,
 * which no router can do: that gap is part of the ratio. Besides requests/s, the server's CPU time per
 * request (from /proc) is reported: on a shared machine it is the steadier figure. `wrk`
 * (`/usr/bin/wrk`, same settings for every server) loads each URL in turn, in a rotating order, for
 * `--runs` rounds; the best round per URL is kept (and the median shown). Then `resolveVersion` over
 * 10,000 image versions (exact, range, `latest`, `recommended`), median after warm-up, and the same
 * through the app in process with the edge's resolution cache defeated (a different range each request).
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
import { startDenoEdge } from "../../test/edge/deno_child.ts";
import { writeKeys } from "../../edge/key_files.ts";
import { fixtureKeys, writeFixture } from "../../test/edge/fixture.ts";

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
  /** Median requests/s over the rounds (requests/s rows; `value` is the best round). */
  median?: number;
  unit: string;
  /** Ratio of requests/s to the baseline (requests/s rows): best round to best round, median to median. */
  ratio?: number;
  medianRatio?: number;
  /** Server CPU time per request, µs, and the baseline's divided by it (requests/s rows). */
  cpuUs?: number;
  cpuRatio?: number;
  target: string;
}

/** What a bare server answers: `new Response(body, { status, headers })`, built per request. */
interface BareSpec {
  body: string | null;
  status?: number;
  headers?: Record<string, string>;
}

/** A bare Deno.serve answering every request with the response described by its JSON argument. */
const BARE =
  `const s = JSON.parse(Deno.args[0]); const init = { status: s.status ?? 200, headers: s.headers }; ` +
  `Deno.serve({ hostname: "127.0.0.1", port: 0, ` +
  `onListen: ({ port }) => console.error("listening on http://127.0.0.1:" + port + "/") }, ` +
  `s.headers ? () => new Response(s.body, init) : () => new Response(s.body));`;

/** User+system CPU time of a process, in microseconds (Linux /proc). */
async function cpuMicros(pid: number): Promise<number> {
  const fields = (await Deno.readTextFile(`/proc/${pid}/stat`)).replace(/^.*\) /, "").split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10_000; // utime + stime, USER_HZ = 100
}

interface Measure {
  rps: number;
  /** Requests/s of every round (for the median). */
  all: number[];
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
  if (/Non-2xx or 3xx responses/.test(text)) {
    throw new Error(`Cannot measure ${url}: error responses\n${text}`);
  }
  return { rps, all: [rps], cpuUs: (cpu1 - cpu0) / requests };
}

function better(a: Measure | undefined, b: Measure): Measure {
  return !a
    ? b
    : { rps: Math.max(a.rps, b.rps), all: [...a.all, ...b.all], cpuUs: Math.min(a.cpuUs, b.cpuUs) };
}

async function startBare(spec: BareSpec): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", BARE, JSON.stringify(spec)],
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

const num = (n: number) => Math.round(n).toLocaleString("en");

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
    const first = await fetch(`${edge.url}/releases`);
    const releases = await first.text();
    const contentType = first.headers.get("content-type") ?? "";
    const moved = await fetch(`${edge.url}/v1/images/rpi4/latest`, { redirect: "manual" });
    await moved.body?.cancel();
    const redirectHeaders: Record<string, string> = {};
    for (const name of ["location", "x-drover-version", "x-drover-sha256", "cache-control"]) {
      redirectHeaders[name] = moved.headers.get(name) ?? "";
    }
    const bare = {
      hello: await startBare({ body: "hello" }),
      same: await startBare({ body: releases, headers: { "content-type": contentType } }),
      same302: await startBare({ body: null, status: moved.status, headers: redirectHeaders }),
    };
    const targets: [string, { url: string; pid: number }][] = [
      ["hello", { url: `${bare.hello.url}/`, pid: bare.hello.pid }],
      ["same", { url: `${bare.same.url}/`, pid: bare.same.pid }],
      ["releases", { url: `${edge.url}/releases`, pid: edge.pid }],
      ["same302", { url: `${bare.same302.url}/`, pid: bare.same302.pid }],
      ["redirect", { url: `${edge.url}/v1/images/rpi4/latest`, pid: edge.pid }],
    ];
    const best: Record<string, Measure | undefined> = {};
    try {
      for (let round = 0; round < o.runs; round++) {
        log(`round ${round + 1}/${o.runs} …`);
        for (let k = 0; k < targets.length; k++) {
          const [name, server] = targets[(k + round) % targets.length]!; // rotate: no fixed position
          best[name] = better(best[name], await wrk(server, o));
        }
      }
    } finally {
      for (const server of Object.values(bare)) await server.stop();
      await edge.stop();
    }
    const row = (name: string, r: { m: Measure; base: Measure; target: string }): EdgeBenchRow => ({
      name,
      value: r.m.rps,
      median: median(r.m.all),
      unit: "req/s",
      ratio: r.m.rps / r.base.rps,
      medianRatio: median(r.m.all) / median(r.base.all),
      cpuUs: r.m.cpuUs,
      cpuRatio: r.base.cpuUs / r.m.cpuUs,
      target: r.target,
    });
    const b = {
      hello: best.hello!,
      same: best.same!,
      same302: best.same302!,
      releases: best.releases!,
      redirect: best.redirect!,
    };
    rows.push(
      row("bare Deno.serve, 'hello' (no headers)", { m: b.hello, base: b.hello, target: "baseline" }),
    );
    rows.push(
      row(`bare Deno.serve, same ${releases.length} B + Content-Type as /releases`, {
        m: b.same,
        base: b.same,
        target: "baseline (fair)",
      }),
    );
    rows.push(
      row(`bare Deno.serve, same ${moved.status} + headers as the image redirect`, {
        m: b.same302,
        base: b.same302,
        target: "baseline (fair)",
      }),
    );
    rows.push(row("edge GET /releases vs same body", { m: b.releases, base: b.same, target: ">= 0.8x" }));
    rows.push(row("edge GET /releases vs 'hello'", { m: b.releases, base: b.hello, target: "(info)" }));
    rows.push(
      row("edge GET /v1/images/rpi4/latest (302) vs same 302", {
        m: b.redirect,
        base: b.same302,
        target: ">= 0.8x",
      }),
    );
    rows.push(
      row("edge GET /v1/images/rpi4/latest (302) vs 'hello'", {
        m: b.redirect,
        base: b.hello,
        target: "(info)",
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
    "| measurement | best | median | ratio (best) | ratio (median) | server CPU/req | CPU ratio | target |",
    "|---|---:|---:|---:|---:|---:|---:|---|",
    ...rows.map((r) =>
      r.unit === "req/s"
        ? `| ${r.name} | ${num(r.value)} req/s | ${num(r.median!)} | ${r.ratio!.toFixed(2)}x | ${
          r.medianRatio!.toFixed(2)
        }x | ${r.cpuUs!.toFixed(1)} µs | ${r.cpuRatio!.toFixed(2)}x | ${r.target} |`
        : `| ${r.name} | ${r.value.toFixed(3)} ${r.unit} | | | | | | ${r.target} |`
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
