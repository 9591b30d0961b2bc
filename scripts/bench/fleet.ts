/**
 * Fleet benchmark (DESIGN §7): signed check-ins ingested by the edge at 0.5x or better of a bare
 * `Deno.serve` doing the same SQLite write, and at least 3,000/s; the fleet summary over 100,000
 * devices and 1,000,000 reports under 100 ms.
 *
 * Check-ins. In the same run, each server in its own process on 127.0.0.1: `deno task start`
 * (edge/deno.ts: Hono routes, request log, `DROVER_DATA/fleet.sqlite`) and the baseline
 * `_fleet_bare_server.ts` (a bare `Deno.serve` running the fleet store's check-in SQL on a database
 * of the same schema, with no signature, validation or framework). Devices are enrolled first (the
 * edge: signed enrolments with an enrolment token; the baseline: through the store). Every request
 * is signed before the timed part (signatures carry per-device counters, so none can be reused):
 * request `g` is device `g % devices`'s next check-in (its app commit changes every fourth
 * check-in), so a device's requests are `devices` apart and arrive in counter order. Both servers
 * get the same requests; the default sizes stay within the edge's per-device rate limit (burst 30),
 * so it is measured as configured. The load generator (`_http_load.ts`, raw keep-alive sockets, a
 * separate process) sends each round's file to each server in turn, the order alternating per
 * round; the best round is kept (and the median shown), with the server's CPU time per request
 * (/proc) and latencies. Any answer but 200 fails the benchmark.
 *
 * Summary. A fleet database seeded by `fleet_seed.ts` (bulk SQL in one transaction, keeping the
 * schema's counters exact), then the median of `FleetStore.summary()` in process, of
 * `GET /v1/fleet/summary` through the app in process, and of the same request to `deno task start`
 * on that database as its request log times it (server side, whole ms) and as the client sees it.
 *
 * Run: `npx -y deno@2.9.6 run -A scripts/bench/fleet.ts [--quick] [--json]`
 *
 * @example
 * ```ts ignore
 * import { benchFleet } from "./fleet.ts";
 * const { table } = await benchFleet({ quick: true });
 * console.log(table);
 * ```
 * @module
 */
import { benchCheckIns } from "./_fleet_check_ins.ts";
import type { FleetBenchRow } from "./_fleet_rows.ts";
import { benchSummary } from "./_fleet_summary.ts";

export type { FleetBenchRow };

/** Options of {@linkcode benchFleet}. */
export interface FleetBenchOptions {
  /** A smoke run: 1,000 devices, one round of 5,000 check-ins, a summary over 20,000 devices and 200,000 reports. */
  quick?: boolean;
  /** Devices sending check-ins (default 4,000). */
  devices?: number;
  /** Check-ins per round and server (default 15,000). */
  requests?: number;
  /** Rounds (default 3). */
  rounds?: number;
  /** Concurrent connections of the load generator (default 32). */
  connections?: number;
  /** The summary's fleet (default 100,000 devices and 1,000,000 reports). */
  summaryDevices?: number;
  summaryReports?: number;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

/** Runs the benchmark; returns rows and a printable table. */
export async function benchFleet(
  options: FleetBenchOptions = {},
): Promise<{ rows: FleetBenchRow[]; table: string }> {
  const q = options.quick === true;
  const o = {
    devices: options.devices ?? (q ? 1000 : 4000),
    requests: options.requests ?? (q ? 5000 : 15_000),
    rounds: options.rounds ?? (q ? 1 : 3),
    connections: options.connections ?? 32,
  };
  const log = options.log ?? ((line: string) => console.error(line));
  const tmp = await Deno.makeTempDir({ prefix: "bench-fleet-" });
  const rows: FleetBenchRow[] = [];
  try {
    rows.push(...await benchCheckIns(tmp, { ...o, log }));
    rows.push(
      ...await benchSummary(tmp, {
        devices: options.summaryDevices ?? (q ? 20_000 : 100_000),
        reports: options.summaryReports ?? (q ? 200_000 : 1_000_000),
        log,
      }),
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
  return { rows, table: formatFleetTable(rows) };
}

const num = (n: number) => Math.round(n).toLocaleString("en");

function cells(r: FleetBenchRow): string[] {
  if (r.unit !== "req/s") {
    return [r.name, `${r.value.toFixed(r.unit === "s" ? 1 : 2)} ${r.unit}`, "", "", "", "", "", ""];
  }
  return [
    r.name,
    `${num(r.value)} req/s`,
    num(r.median!),
    `${r.ratio!.toFixed(2)}x`,
    `${r.medianRatio!.toFixed(2)}x`,
    `${r.cpuUs!.toFixed(0)} µs`,
    `${r.cpuRatio!.toFixed(2)}x`,
    `${r.p50Ms!.toFixed(1)} / ${r.p99Ms!.toFixed(1)} ms`,
  ];
}

/** The rows as a markdown table. */
export function formatFleetTable(rows: readonly FleetBenchRow[]): string {
  return [
    "| measurement | best | median | ratio (best) | ratio (median) | server CPU/req | CPU ratio | latency p50 / p99 | target |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ...rows.map((r) => `| ${[...cells(r), r.target].join(" | ")} |`),
  ].join("\n");
}

/** CLI entry. */
export async function main(args: string[]): Promise<number> {
  if (args.includes("--help")) {
    console.log("Usage: deno run -A scripts/bench/fleet.ts [--quick] [--json]");
    return 0;
  }
  const result = await benchFleet({ quick: args.includes("--quick") });
  console.log(args.includes("--json") ? JSON.stringify(result.rows) : result.table);
  return 0;
}

if (import.meta.main) Deno.exitCode = await main(Deno.args);
