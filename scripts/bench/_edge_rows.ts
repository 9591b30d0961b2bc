/**
 * Private to scripts/bench (the edge benchmark): its rows (requests/s against a baseline, and times)
 * and the Markdown table they print as.
 * @module
 */
import { median } from "./_fleet_rows.ts";
import type { Measure } from "./_wrk.ts";

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

/** The requests/s row of `r.m` against the baseline `r.base`. */
export function loadRow(name: string, r: { m: Measure; base: Measure; target: string }): EdgeBenchRow {
  return {
    name,
    value: r.m.rps,
    median: median(r.m.all),
    unit: "req/s",
    ratio: r.m.rps / r.base.rps,
    medianRatio: median(r.m.all) / median(r.base.all),
    cpuUs: r.m.cpuUs,
    cpuRatio: r.base.cpuUs / r.m.cpuUs,
    target: r.target,
  };
}

const num = (n: number) => Math.round(n).toLocaleString("en");

/** `rows` as a Markdown table. */
export function edgeTable(rows: EdgeBenchRow[]): string {
  return [
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
}
