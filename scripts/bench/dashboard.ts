/**
 * Dashboard benchmark: the overview page (`GET /ui/`) over 100,000 devices renders on the server in
 * under 200 ms, beside the bare `FleetStore.summary()` it is built from, measured in the same run.
 *
 * A fleet database seeded by `fleet_seed.ts` (100,000 devices, 1,000,000 reports; `--quick`:
 * 20,000 and 200,000) next to a development repository (the releases page's view). In process, an
 * edge app over that database with a signed-in session (cookie), then rounds in which each
 * measurement runs once, in turn: the bare summary query, the overview page (session check,
 * summary, the rollouts in progress, render), the page of the repository's one staged rollout
 * (running, on a fifth of the devices' commit), the first page of the device list, a filtered page,
 * one device's page. Medians
 * and 95th percentiles of the rounds; the overview minus the summary is what the page adds. Then
 * `deno task start` on the same data: the overview as its request log times it (server side,
 * whole ms) and as a client on 127.0.0.1 sees it.
 *
 * Run: `npx -y deno@2.9.6 run -A scripts/bench/dashboard.ts [--quick] [--json]`
 *
 * @example
 * ```ts ignore
 * import { benchDashboard } from "./dashboard.ts";
 * console.log((await benchDashboard({ quick: true })).table);
 * ```
 * @module
 */
import { join } from "node:path";
import { createApp, type EdgeApp } from "../../edge/app.ts";
import { createRollout } from "../../core/rollout/mod.ts";
import { createDevRepository, DEMO_CONTENT } from "../../edge/dev_repository.ts";
import { SqliteFleetStore } from "../../edge/fleet/sqlite_fleet_store.ts";
import { FsStorage } from "../../edge/storage/fs_storage.ts";
import { startDenoEdge } from "../../test/edge/deno_child.ts";
import { seedFleet } from "./fleet_seed.ts";

/** Options of {@linkcode benchDashboard}. */
export interface DashboardBenchOptions {
  /** A smoke run: 20,000 devices, 200,000 reports, fewer rounds. */
  quick?: boolean;
  devices?: number;
  reports?: number;
  /** Rounds of measurements (default 21). */
  rounds?: number;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

/** One measured figure. */
export interface DashboardBenchRow {
  name: string;
  /** Median, ms (seconds for the seed row). */
  median: number;
  p95?: number;
  /** Size of the page, bytes. */
  bytes?: number;
  target: string;
}

const OPERATOR = "bench-operator-token";
/** A seeded commit of `acme/radio` (`fleet_seed.ts`: a fifth of the devices report on it). */
const ROLLOUT_COMMIT = "00f4241";
const ROLLOUT_ID = `acme:radio:main:9:${ROLLOUT_COMMIT}`;

/**
 * The development repository plus `acme/radio` at {@linkcode ROLLOUT_COMMIT} under a staged rollout
 * at its 50% step, whose halt rule the seeded failures do not trip: the overview shows it running.
 */
async function writeRepository(storage: FsStorage, now: number): Promise<void> {
  const rollout = createRollout({
    id: ROLLOUT_ID,
    publishedAt: new Date(now - 2 * 3600_000),
    steps: "10,50@1h,100@24h",
    halt: { minDevices: 1_000_000, maxFailurePercent: 50 },
  });
  const radio = {
    name: "acme/radio",
    ref: "main",
    commit: ROLLOUT_COMMIT,
    files: { "radio.sh": "#!/bin/sh\n" },
  };
  await createDevRepository(storage, {
    content: { ...DEMO_CONTENT, apps: [...DEMO_CONTENT.apps, { ...radio, rollout }] },
  });
}
const FORM = "application/x-www-form-urlencoded";

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

async function signIn(fetcher: (url: string, init: RequestInit) => Promise<Response>, base: string) {
  const res = await fetcher(`${base}/ui/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": FORM, origin: base },
    body: new URLSearchParams({ token: OPERATOR, next: "/ui/" }),
  });
  await res.arrayBuffer();
  const cookie = res.headers.get("set-cookie")?.split(";")[0];
  if (res.status !== 303 || !cookie) throw new Error(`Cannot sign in to the dashboard: ${res.status}`);
  return cookie;
}

/** Times every measurement once per round, in turn; returns each one's times (ms) and last size. */
async function rounds(
  rounds: number,
  measures: Record<string, () => Promise<number>>,
): Promise<Map<string, { times: number[]; bytes: number }>> {
  const out = new Map(Object.keys(measures).map((name) => [name, { times: [] as number[], bytes: 0 }]));
  for (const fn of Object.values(measures)) await fn(); // warm-up: statement cache, JIT
  for (let i = 0; i < rounds; i++) {
    for (const [name, fn] of Object.entries(measures)) {
      const t0 = performance.now();
      const bytes = await fn();
      const entry = out.get(name)!;
      entry.times.push(performance.now() - t0);
      entry.bytes = bytes;
    }
  }
  return out;
}

async function inProcess(app: EdgeApp, store: SqliteFleetStore, n: number): Promise<DashboardBenchRow[]> {
  const cookie = await signIn(async (url, init) => await app.request(url, init), "http://bench.test");
  const page = (path: string) => async () => {
    const res = await app.request(`http://bench.test${path}`, { headers: { cookie } });
    const body = await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`Cannot GET ${path}: ${res.status}`);
    return body.byteLength;
  };
  const first = (await store.listDevices({ state: "pending", limit: 1 })).items[0]!;
  const measured = await rounds(n, {
    summary: async () => JSON.stringify(await store.summary()).length,
    overview: page("/ui/"),
    rollout: page(`/ui/rollouts/${encodeURIComponent(ROLLOUT_ID)}`),
    devices: page("/ui/devices"),
    filtered: page("/ui/devices?state=pending&label=site%3Dsite-0&seen=24h"),
    device: page(`/ui/devices/${first.id}`),
  });
  const row = (name: string, key: string, target: string): DashboardBenchRow => {
    const m = measured.get(key)!;
    return { name, median: percentile(m.times, 0.5), p95: percentile(m.times, 0.95), bytes: m.bytes, target };
  };
  const summary = row("bare FleetStore.summary() (baseline, JSON size)", "summary", "(baseline)");
  const overview = row(
    "GET /ui/ overview: session, summary, a running rollout, render (in process)",
    "overview",
    "< 200 ms",
  );
  return [
    summary,
    overview,
    {
      name: "overview minus summary: what the page adds (medians)",
      median: overview.median - summary.median,
      target: "(info)",
    },
    row("GET /ui/rollouts/<id>: record, failures grouped, render (in process)", "rollout", "(info)"),
    row("GET /ui/devices, first page of 50 (in process)", "devices", "(info)"),
    row("GET /ui/devices?state=pending&label=site=site-0&seen=24h", "filtered", "(info)"),
    row("GET /ui/devices/<id> (in process)", "device", "(info)"),
  ];
}

async function overHttp(data: string, n: number): Promise<DashboardBenchRow[]> {
  const edge = await startDenoEdge(data, { DROVER_OPERATOR_TOKEN: OPERATOR });
  try {
    const cookie = await signIn(fetch, edge.url);
    const measured = await rounds(n, {
      overview: async () => {
        const res = await fetch(`${edge.url}/ui/`, { headers: { cookie } });
        const body = await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`Cannot GET /ui/: ${res.status}`);
        return body.byteLength;
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 250)); // the request log flushes every 100 ms
    const logged = [...edge.log().matchAll(/^GET \/ui\/ 200 (\d+)ms$/gm)].slice(1).map((m) => Number(m[1]));
    const client = measured.get("overview")!;
    return [
      {
        name: "deno task start: GET /ui/, server side (request log, whole ms)",
        median: percentile(logged, 0.5),
        p95: percentile(logged, 0.95),
        target: "< 200 ms",
      },
      {
        name: "deno task start: GET /ui/, client on 127.0.0.1",
        median: percentile(client.times, 0.5),
        p95: percentile(client.times, 0.95),
        bytes: client.bytes,
        target: "(info)",
      },
    ];
  } finally {
    await edge.stop();
  }
}

/** Runs the benchmark; returns rows and a printable table. */
export async function benchDashboard(
  options: DashboardBenchOptions = {},
): Promise<{ rows: DashboardBenchRow[]; table: string }> {
  const log = options.log ?? ((line: string) => console.error(line));
  const devices = options.devices ?? (options.quick ? 20_000 : 100_000);
  const reports = options.reports ?? (options.quick ? 200_000 : 1_000_000);
  const n = options.rounds ?? (options.quick ? 7 : 21);
  const tmp = await Deno.makeTempDir({ prefix: "drover-bench-dashboard-" });
  try {
    const storage = new FsStorage(tmp);
    await writeRepository(storage, Date.now());
    const path = join(tmp, "fleet.sqlite");
    await (await SqliteFleetStore.open(path)).close();
    const size = `${devices.toLocaleString("en")} devices, ${reports.toLocaleString("en")} reports`;
    log(`seeding ${size} …`);
    const seeded = seedFleet(path, { devices, reports, now: Date.now() });
    const rows: DashboardBenchRow[] = [{
      name: `seed ${size} (fleet_seed.ts)`,
      median: (seeded.devicesMs + seeded.reportsMs) / 1000,
      target: "(info, s)",
    }];
    const store = await SqliteFleetStore.open(path);
    try {
      if ((await store.summary()).devices.total !== devices) {
        throw new Error("Cannot bench: the fleet is not there");
      }
      const app = createApp({ storage, fleet: store, config: { operatorToken: OPERATOR, log } });
      log(`in process: ${n} rounds …`);
      rows.push(...await inProcess(app, store, n));
    } finally {
      await store.close();
    }
    log(`deno task start: ${n} requests …`);
    rows.push(...await overHttp(tmp, n));
    return { rows, table: formatDashboardTable(rows) };
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

/** The rows as a markdown table. */
export function formatDashboardTable(rows: readonly DashboardBenchRow[]): string {
  const ms = (v: number | undefined) => v === undefined ? "" : `${v.toFixed(1)} ms`;
  const pass = (r: DashboardBenchRow) => {
    const limit = /^< (\d+) ms$/.exec(r.target)?.[1];
    return limit === undefined ? "" : r.median < Number(limit) ? "yes" : "NO";
  };
  return [
    "| measurement | median | p95 | page | target | met |",
    "|---|---:|---:|---:|---|---|",
    ...rows.map((r) =>
      `| ${r.name} | ${r.target === "(info, s)" ? `${r.median.toFixed(1)} s` : ms(r.median)} | ${
        ms(r.p95)
      } | ${r.bytes === undefined ? "" : `${(r.bytes / 1024).toFixed(1)} KiB`} | ${r.target} | ${pass(r)} |`
    ),
  ].join("\n");
}

if (import.meta.main) {
  const result = await benchDashboard({ quick: Deno.args.includes("--quick") });
  console.log(Deno.args.includes("--json") ? JSON.stringify(result.rows) : result.table);
}
