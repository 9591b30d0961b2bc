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
 * Its parts are private files beside it: `_bare_server.ts`, `_wrk.ts`, `_edge_rows.ts` (rows and table),
 * `_edge_resolution.ts`.
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
import { FsStorage } from "../../edge/storage/fs_storage.ts";
import { startDenoEdge } from "../../test/edge/deno_child.ts";
import { writeKeys } from "../../edge/key_files.ts";
import { fixtureKeys, writeFixture } from "../../test/edge/fixture.ts";
import { startBare } from "./_bare_server.ts";
import { better, type Measure, wrk } from "./_wrk.ts";
import { type EdgeBenchRow, edgeTable, loadRow } from "./_edge_rows.ts";
import { benchResolution } from "./_edge_resolution.ts";

export type { EdgeBenchRow } from "./_edge_rows.ts";

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
    const b = {
      hello: best.hello!,
      same: best.same!,
      same302: best.same302!,
      releases: best.releases!,
      redirect: best.redirect!,
    };
    rows.push(
      loadRow("bare Deno.serve, 'hello' (no headers)", { m: b.hello, base: b.hello, target: "baseline" }),
    );
    rows.push(
      loadRow(`bare Deno.serve, same ${releases.length} B + Content-Type as /releases`, {
        m: b.same,
        base: b.same,
        target: "baseline (fair)",
      }),
    );
    rows.push(
      loadRow(`bare Deno.serve, same ${moved.status} + headers as the image redirect`, {
        m: b.same302,
        base: b.same302,
        target: "baseline (fair)",
      }),
    );
    rows.push(loadRow("edge GET /releases vs same body", { m: b.releases, base: b.same, target: ">= 0.8x" }));
    rows.push(loadRow("edge GET /releases vs 'hello'", { m: b.releases, base: b.hello, target: "(info)" }));
    rows.push(
      loadRow("edge GET /v1/images/rpi4/latest (302) vs same 302", {
        m: b.redirect,
        base: b.same302,
        target: ">= 0.8x",
      }),
    );
    rows.push(
      loadRow("edge GET /v1/images/rpi4/latest (302) vs 'hello'", {
        m: b.redirect,
        base: b.hello,
        target: "(info)",
      }),
    );

    log("resolution over 10,000 versions …");
    rows.push(...await benchResolution());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return { rows, table: edgeTable(rows) };
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
