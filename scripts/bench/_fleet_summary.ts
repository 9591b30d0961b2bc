/**
 * Private: the summary half of the fleet benchmark (`fleet.ts` tells the method): a fleet seeded by
 * `fleet_seed.ts`, then the summary in process, through the app and from `deno task start`.
 */
import { createApp } from "../../edge/app.ts";
import { SqliteFleetStore } from "../../edge/fleet/sqlite_fleet_store.ts";
import { FsStorage } from "../../edge/storage/fs_storage.ts";
import { startDenoEdge } from "../../test/edge/deno_child.ts";
import { type FleetBenchRow, median, timeMedian } from "./_fleet_rows.ts";
import { seedFleet } from "./fleet_seed.ts";

const OPERATOR = "bench-operator-token";

/** The summary over a large fleet, in `tmp`: in process, through the app, and from the running edge. */
export async function benchSummary(
  tmp: string,
  o: { devices: number; reports: number; log: (line: string) => void },
): Promise<FleetBenchRow[]> {
  const log = o.log;
  const rows: FleetBenchRow[] = [];
  const data = `${tmp}/summary`;
  await Deno.mkdir(data, { recursive: true });
  const path = `${data}/fleet.sqlite`;
  await (await SqliteFleetStore.open(path)).close();
  const size = `${o.devices.toLocaleString("en")} devices, ${o.reports.toLocaleString("en")} reports`;
  log(`seeding ${size} …`);
  const seeded = seedFleet(path, { devices: o.devices, reports: o.reports, now: Date.now() });
  rows.push({
    name: `seed ${size} (bulk SQL, one transaction)`,
    value: (seeded.devicesMs + seeded.reportsMs) / 1000,
    unit: "s",
    target: "(info)",
  });
  const store = await SqliteFleetStore.open(path);
  try {
    const summary = await store.summary();
    if (summary.devices.total !== o.devices) {
      throw new Error("Cannot bench summary: the seeded fleet is not there");
    }
    rows.push({
      name: `FleetStore.summary() over ${size}`,
      value: await timeMedian(21, () => store.summary()),
      unit: "ms (median)",
      target: "< 100 ms",
    });
    const repo = await Deno.makeTempDir({ dir: tmp });
    const app = createApp({
      storage: new FsStorage(repo),
      fleet: store,
      config: { operatorToken: OPERATOR },
    });
    const headers = { authorization: `Bearer ${OPERATOR}` };
    const get = async (url: string) => {
      const res = await app.request(url, { headers });
      if (res.status !== 200) throw new Error(`Cannot GET ${url}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    };
    await get("/v1/fleet/summary");
    rows.push({
      name: "GET /v1/fleet/summary through the app (in process)",
      value: await timeMedian(21, () => get("/v1/fleet/summary")),
      unit: "ms (median)",
      target: "< 100 ms",
    });
    const commit = summary.apps[0]?.commits[0]?.commit ?? "";
    rows.push({
      name: "GET /v1/fleet/devices?commit=…&limit=500 (one page, in process)",
      value: await timeMedian(11, () => get(`/v1/fleet/devices?commit=${commit}&limit=500`)),
      unit: "ms (median)",
      target: "(info)",
    });
  } finally {
    await store.close();
  }

  log("the same summary from `deno task start` …");
  const edge = await startDenoEdge(data, { DROVER_OPERATOR_TOKEN: OPERATOR });
  try {
    const url = `${edge.url}/v1/fleet/summary`;
    const fetchSummary = async () => {
      const res = await fetch(url, { headers: { authorization: `Bearer ${OPERATOR}` } });
      if (res.status !== 200) throw new Error(`Cannot GET ${url}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    };
    await fetchSummary();
    const client = await timeMedian(21, fetchSummary);
    await new Promise((resolve) => setTimeout(resolve, 250)); // the request log flushes every 100 ms
    const logged = [...edge.log().matchAll(/^GET \/v1\/fleet\/summary 200 (\d+)ms$/gm)].slice(1).map((m) =>
      Number(m[1])
    );
    rows.push({
      name: "edge GET /v1/fleet/summary, server side (request log, whole ms)",
      value: median(logged),
      unit: "ms (median)",
      target: "< 100 ms",
    });
    rows.push({
      name: "edge GET /v1/fleet/summary, client on 127.0.0.1",
      value: client,
      unit: "ms (median)",
      target: "(info)",
    });
  } finally {
    await edge.stop();
  }
  return rows;
}
