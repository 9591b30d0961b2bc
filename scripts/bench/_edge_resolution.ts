/**
 * Private to scripts/bench (the edge benchmark): version resolution over 10,000 image versions.
 * `resolveVersion` (exact, range, `latest`, `recommended`), median after warm-up, and the same through
 * the app in process with the edge's resolution cache defeated (a different range each request).
 * @module
 */
import { resolveVersion } from "../../core/version/mod.ts";
import { createApp } from "../../edge/app.ts";
import { FsStorage } from "../../edge/storage/fs_storage.ts";
import { median } from "./_fleet_rows.ts";
import type { EdgeBenchRow } from "./_edge_rows.ts";

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

/** Measures the resolutions (see the module doc); resolves to their rows (target: under 1 ms). */
export async function benchResolution(): Promise<EdgeBenchRow[]> {
  const rows: EdgeBenchRow[] = [];
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
  return rows;
}
