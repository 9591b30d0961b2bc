/**
 * The demo, start to stop: opens the working directory, starts the edge with the development
 * repository, prints how to reach the dashboard (stdout), enrolls the simulated devices, then runs
 * update rounds until `signal` aborts, publishing releases as `demo_plan.ts` says; one progress
 * line per round on stderr. On abort the running updates are interrupted, the edge stops and the
 * working directory is removed (unless `keep`). Never ends the process.
 *
 * @example
 * ```ts ignore
 * import { runDemo } from "./demo_run.ts";
 * const stop = new AbortController();
 * await runDemo(options, { stdout, stderr, cwd: Deno.cwd(), env: {} }, stop.signal);
 * ```
 * @module
 */
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { DEMO_CONTENT } from "../../edge/dev_repository.ts";
import type { DemoOptions } from "./demo_options.ts";
import { openDemoDir } from "./demo_dir.ts";
import { fleetTaskCommand } from "./demo_fleet_command.ts";
import { type DemoEdge, startDemoEdge } from "./demo_edge.ts";
import { DemoDevice, type UpdateOutcome } from "./demo_device.ts";
import { FIRST_RELEASE, releaseBefore, rolloutText } from "./demo_plan.ts";
import { type DemoRelease, devApp, publishRelease } from "./demo_release.ts";

/** Where the demo writes and what it may read. */
export interface DemoIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  env: Record<string, string | undefined>;
}

const SETUP_CONCURRENCY = 4;
const UPDATE_CONCURRENCY = 2;

/** Runs the demo until `signal` aborts; resolves once everything is stopped and cleaned up. */
export async function runDemo(options: DemoOptions, io: DemoIO, signal: AbortSignal): Promise<void> {
  const dir = await openDemoDir({ dir: options.dir }, { cwd: io.cwd, env: io.env });
  let edge: DemoEdge | undefined;
  try {
    edge = await startDemoEdge(dir.repo, {
      port: options.port,
      content: {
        ...DEMO_CONTENT,
        deviceTypes: [
          ...DEMO_CONTENT.deviceTypes,
          { slug: "raspberrypi5", name: "Raspberry Pi 5", aliases: ["rpi5"] },
        ],
        apps: [devApp(FIRST_RELEASE)],
      },
    });
    io.stdout(banner(edge, options, { root: dir.root }));
    await Promise.all([mkdir(dir.devices, { recursive: true }), mkdir(dir.releases, { recursive: true })]);
    const devices = Array.from({ length: options.devices }, (_, i) => new DemoDevice(i + 1, dir.devices));
    const started = performance.now();
    await pool(devices, SETUP_CONCURRENCY, signal, async (device) => {
      await device.setUp(edge!, signal).catch((error) => {
        if (!signal.aborted) throw error;
      });
    });
    if (signal.aborted) return;
    const revA = devices.filter((d) => d.labels.board === "rev-a").length;
    io.stderr(
      `enrolled ${devices.length} devices in ${seconds(started)} (4 sites, ${revA} on board rev-a), ` +
        `each with drover/hello registered; first update round now\n`,
    );
    const versions = new Map([[FIRST_RELEASE.commit, FIRST_RELEASE.version]]);
    const running = new Map<DemoDevice, string>();
    for (let round = 1; !signal.aborted; round++) {
      const start = performance.now();
      const release = releaseBefore(round);
      if (release) {
        await publish(release, devices, edge, dir);
        versions.set(release.commit, release.version);
        io.stderr(`published drover/hello ${release.version} (${rolloutText(release)}): ${release.story}\n`);
        await sleep(1100, signal); // the edge re-reads the repository every second
      }
      const outcomes: UpdateOutcome[] = [];
      await pool(devices, UPDATE_CONCURRENCY, signal, async (device) => {
        const outcome = await device.update(edge!, signal);
        if (signal.aborted) return;
        outcomes.push(outcome);
        if (outcome.kind === "installed") running.set(device, outcome.commit);
      });
      if (signal.aborted) break;
      io.stderr(roundLine(round, seconds(start), outcomes, running, versions));
      await sleep(options.intervalMs - (performance.now() - start), signal);
    }
  } finally {
    await edge?.close();
    if (options.keep) {
      io.stderr(`stopped; kept ${dir.root}\n`);
    } else {
      await dir.remove();
      io.stderr(`stopped; removed ${dir.root}\n`);
    }
  }
}

/** The Drover checkout. */
const PROJECT = fileURLToPath(new URL("../..", import.meta.url));

function banner(edge: DemoEdge, options: DemoOptions, where: { root: string }): string {
  const { root } = where;
  const fleet = fleetTaskCommand("summary", {
    execPath: Deno.execPath(),
    version: Deno.version.deno,
    project: PROJECT,
  });
  const kept = options.keep ? "kept when the demo stops" : "removed when the demo stops; --keep keeps it";
  return [
    `Drover demo: the edge and a simulated fleet of ${options.devices} devices`,
    "",
    `  Dashboard:       ${edge.url}/ui/`,
    `  Operator token:  ${edge.operatorToken}`,
    `  Working in:      ${root} (${kept})`,
    "",
    "Open the dashboard and sign in with the operator token. The devices enroll now, then run",
    `\`drover update\` every ${
      options.intervalMs / 1000
    } s: drover/hello 1.1.0 follows (its health check fails on`,
    "board rev-a, so those devices roll back), then 1.2.0 as a staged rollout. Progress below; stop",
    "with Ctrl-C. The operator CLI works too:",
    `  DROVER_EDGE=${edge.url} DROVER_OPERATOR_TOKEN=${edge.operatorToken} ${fleet}`,
    "",
  ].join("\n");
}

/** Leaves `release`'s failure marker on the devices its health check fails on, then publishes it. */
async function publish(
  release: DemoRelease,
  devices: DemoDevice[],
  edge: DemoEdge,
  dir: { repo: string; releases: string },
): Promise<void> {
  for (const device of devices) if (release.fails(device)) await device.markFailing(release.version);
  await publishRelease(release, { repoDir: dir.repo, keysDir: edge.keysDir, archiveDir: dir.releases });
}

function roundLine(
  round: number,
  took: string,
  outcomes: UpdateOutcome[],
  running: Map<DemoDevice, string>,
  versions: Map<string, string>,
): string {
  const count = (kind: UpdateOutcome["kind"]) => outcomes.filter((o) => o.kind === kind).length;
  const parts = [`${count("installed")} installed`, `${count("rolled-back")} rolled back`];
  const failed = outcomes.filter((o) => o.kind === "failed");
  if (failed.length > 0) {
    parts.push(`${failed.length} failed (${(failed[0] as { message: string }).message.slice(0, 120)})`);
  }
  parts.push(`${count("unchanged")} unchanged`);
  const fleet = new Map<string, number>();
  for (const commit of running.values()) {
    const version = versions.get(commit) ?? commit.slice(0, 7);
    fleet.set(version, (fleet.get(version) ?? 0) + 1);
  }
  const on = [...fleet].sort(([a], [b]) => b.localeCompare(a, "en", { numeric: true }))
    .map(([version, n]) => `${version} ${n}`).join(", ");
  return `round ${round} (${took}): ${parts.join(", ")}; running ${on || "nothing yet"}\n`;
}

/** Runs `fn` over `items`, at most `n` at once, starting no new one once `signal` aborted. */
async function pool<T>(
  items: readonly T[],
  n: number,
  signal: AbortSignal,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length && !signal.aborted) await fn(items[next++]!);
  }));
}

/** Waits `ms` (at most), or until `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}
