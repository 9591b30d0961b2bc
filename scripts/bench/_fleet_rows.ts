/** Private: the fleet benchmark's rows and medians. */

/** One measured figure. */
export interface FleetBenchRow {
  name: string;
  value: number;
  unit: string;
  /** Median over the rounds (requests/s rows). */
  median?: number;
  /** Ratios of requests/s to the baseline: best to best, median to median (requests/s rows). */
  ratio?: number;
  medianRatio?: number;
  /** Server CPU time per request (µs) and the baseline's divided by it (requests/s rows). */
  cpuUs?: number;
  cpuRatio?: number;
  /** Latency percentiles of the best round, ms (requests/s rows). */
  p50Ms?: number;
  p99Ms?: number;
  target: string;
}

/** The median of `values`. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** The median time of `runs` sequential calls of `fn`, in ms. */
export async function timeMedian(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}
