/**
 * Private: the check-in half of the fleet benchmark (`fleet.ts` tells the method): the edge
 * (`deno task start`) and the bare baseline (`_fleet_bare_server.ts`) loaded in turn by
 * `_http_load.ts` with the same pre-signed check-ins.
 */
import { writeFile } from "node:fs/promises";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { SqliteFleetStore } from "../../edge/fleet/sqlite_fleet_store.ts";
import { startDenoEdge } from "../../test/edge/deno_child.ts";
import { FleetTestDevice, serialize } from "../../test/edge/fleet_device.ts";
import { type FleetBenchRow, median } from "./_fleet_rows.ts";
import { cpuMicros } from "./_cpu_micros.ts";
import { type ListeningChild, startListening } from "./_listening_child.ts";

const OPERATOR = "bench-operator-token";
const ENROLL = "bench-enroll-token";
const LOAD = fileURLToPath(new URL("./_http_load.ts", import.meta.url));
const BARE = fileURLToPath(new URL("./_fleet_bare_server.ts", import.meta.url));

interface Load {
  requests: number;
  ms: number;
  statuses: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
}

interface Measure {
  rps: number[];
  cpuUs: number[];
  best?: Load;
}

async function load(server: { port: number; pid: number }, options: { file: string; connections: number }) {
  const { file, connections } = options;
  const cpu0 = await cpuMicros(server.pid);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", LOAD, String(server.port), file, String(connections)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const cpu1 = await cpuMicros(server.pid);
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) throw new Error(`Cannot generate load: ${new TextDecoder().decode(out.stderr)}`);
  const result = JSON.parse(text) as Load;
  return { result, cpuUs: (cpu1 - cpu0) / result.requests };
}

function startBare(db: string): Promise<ListeningChild> {
  return startListening(["run", "-A", BARE, db], { what: "bare server" });
}

async function pool<T>(items: readonly T[], fn: (item: T) => Promise<void>, options: { size: number }) {
  let next = 0;
  await Promise.all(Array.from({ length: options.size }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

const commitOf = (n: number) => (0x1000000 + n).toString(16).padStart(7, "0");

/** What {@linkcode benchCheckIns} runs. */
export interface CheckInBench {
  devices: number;
  requests: number;
  rounds: number;
  connections: number;
  log: (line: string) => void;
}

/** Check-ins: the edge against the bare baseline, in `tmp`. */
export async function benchCheckIns(tmp: string, o: CheckInBench): Promise<FleetBenchRow[]> {
  const log = o.log;
  log(`${o.devices} device keys …`);
  const devices = await Promise.all(Array.from({ length: o.devices }, () => FleetTestDevice.create()));
  const labels = (i: number) => ({ site: `site-${i % 10}`, ring: i % 7 === 0 ? "beta" : "stable" });
  const edge = await startDenoEdge(`${tmp}/edge`, {
    DROVER_OPERATOR_TOKEN: OPERATOR,
    DROVER_ENROLL_TOKEN: ENROLL,
  });
  let bare: Awaited<ReturnType<typeof startBare>> | undefined;
  try {
    log("enrolling (edge: signed requests; baseline: the store) …");
    await pool(devices.map((d, i) => [d, i] as const), async ([d, i]) => {
      const answer = await d.enroll(edge.url, { token: ENROLL, labels: labels(i) });
      if (answer.status !== 201) {
        throw new Error(`Cannot enroll: ${answer.status} ${JSON.stringify(answer.json)}`);
      }
    }, { size: 8 });
    const bareDb = `${tmp}/bare.sqlite`;
    const store = await SqliteFleetStore.open(bareDb);
    try {
      for (const [i, d] of devices.entries()) {
        await store.enroll({
          id: d.id,
          publicKey: d.identity.publicKey,
          state: "accepted",
          labels: labels(i),
          counter: 1,
        });
      }
    } finally {
      await store.close();
    }
    bare = await startBare(bareDb);

    log(`signing ${o.rounds} x ${o.requests.toLocaleString("en")} check-ins …`);
    const files: string[] = [];
    for (let round = 0; round < o.rounds; round++) {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < o.requests; i++) {
        const g = round * o.requests + i;
        const d = g % o.devices;
        const device = devices[d]!;
        const request = await device.checkInRequest({
          apps: [
            {
              name: "acme/radio",
              commit: commitOf((device.counter + 1) >> 2),
              serial: (device.counter + 1) >> 2,
            },
            { name: "acme/lights", commit: commitOf(1000 + d % 3) },
          ],
          labels: labels(d),
        });
        const bytes = serialize(request);
        const prefix = new Uint8Array(4);
        new DataView(prefix.buffer).setUint32(0, bytes.length);
        chunks.push(prefix, bytes);
      }
      const file = `${tmp}/round-${round}.bin`;
      await writeFile(file, chunks);
      files.push(file);
    }

    const edgePort = Number(new URL(edge.url).port);
    const servers = { edge: { port: edgePort, pid: edge.pid }, bare: { port: bare.port, pid: bare.pid } };
    const m: Record<"edge" | "bare", Measure> = {
      edge: { rps: [], cpuUs: [] },
      bare: { rps: [], cpuUs: [] },
    };
    for (const [round, file] of files.entries()) {
      log(`round ${round + 1}/${o.rounds} …`);
      const order = round % 2 === 0 ? (["edge", "bare"] as const) : (["bare", "edge"] as const);
      for (const name of order) {
        const { result, cpuUs } = await load(servers[name], { file, connections: o.connections });
        const bad = Object.entries(result.statuses).filter(([status]) => status !== "200");
        if (bad.length > 0) {
          throw new Error(
            `Cannot measure ${name}: answers ${JSON.stringify(result.statuses)}\n${
              name === "edge" ? edge.log().slice(-2000) : ""
            }`,
          );
        }
        const rps = result.requests / (result.ms / 1000);
        m[name].rps.push(rps);
        m[name].cpuUs.push(cpuUs);
        if (!m[name].best || rps > m[name].best!.requests / (m[name].best!.ms / 1000)) m[name].best = result;
      }
    }
    // what was measured was stored: every device's last check-in, on both servers
    const res = await fetch(`${edge.url}/v1/fleet/summary`, {
      headers: { authorization: `Bearer ${OPERATOR}` },
    });
    const summary = await res.json();
    const radio = summary.apps?.find((a: { name: string }) => a.name === "acme/radio")?.devices;
    if (summary.devices?.accepted !== o.devices || radio !== o.devices) {
      throw new Error(
        `Cannot confirm the edge stored the check-ins: ${JSON.stringify(summary).slice(0, 500)}`,
      );
    }
    const db = new DatabaseSync(bareDb, { readOnly: true });
    try {
      const { n } = db.prepare("SELECT count(*) AS n FROM device_apps").get() as { n: number };
      if (n !== 2 * o.devices) throw new Error(`Cannot confirm the baseline stored the check-ins: ${n} apps`);
    } finally {
      db.close();
    }
    const row = (name: string, x: Measure, base: Measure, target: string): FleetBenchRow => ({
      name,
      value: Math.max(...x.rps),
      median: median(x.rps),
      unit: "req/s",
      ratio: Math.max(...x.rps) / Math.max(...base.rps),
      medianRatio: median(x.rps) / median(base.rps),
      cpuUs: Math.min(...x.cpuUs),
      cpuRatio: Math.min(...base.cpuUs) / Math.min(...x.cpuUs),
      p50Ms: x.best!.p50Ms,
      p99Ms: x.best!.p99Ms,
      target,
    });
    return [
      row("bare Deno.serve + the same SQLite check-in write (no signature)", m.bare, m.bare, "baseline"),
      row(
        "edge POST /v1/devices/<id>/checkin (signed, verified, stored)",
        m.edge,
        m.bare,
        ">= 0.5x, >= 3,000/s",
      ),
    ];
  } finally {
    await bare?.stop();
    await edge.stop();
  }
}
