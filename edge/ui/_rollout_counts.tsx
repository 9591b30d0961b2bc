/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * Private: a rollout's devices by the outcome of their install (the store's counts: it does not
 * tell downloading from installing or the health check, so those are one "in progress"), as a bar
 * and a table, or (`compact`) a bar and one line.
 */
import type { RolloutCounts } from "../fleet/rollouts/rollout_record.ts";
import { Bar } from "./_bar.tsx";
import { count, percent } from "./_format.ts";

/** What {@linkcode RolloutCountsView} takes. */
export interface RolloutCountsProps {
  counts: RolloutCounts;
  /** One line instead of a table (the overview). */
  compact?: boolean;
  /** The table's caption id (the page's heading). */
  labelledBy?: string;
}

/** The outcomes in the order shown, with their colour classes. */
export function outcomeRows(counts: RolloutCounts) {
  return [
    { key: "inProgress", label: "In progress", value: counts.inProgress, color: "k-progress" },
    { key: "succeeded", label: "Succeeded", value: counts.succeeded, color: "k-ok" },
    { key: "rolledBack", label: "Rolled back", value: counts.rolledBack, color: "k-rolled_back" },
    { key: "failed", label: "Failed", value: counts.failed, color: "k-error" },
    { key: "timedOut", label: "Timed out", value: counts.timedOut, color: "k-timeout" },
  ];
}

/** The counts. */
export function RolloutCountsView(props: RolloutCountsProps) {
  const rows = outcomeRows(props.counts);
  const total = rows.reduce((sum, r) => sum + r.value, 0);
  if (props.compact) {
    return (
      <div>
        <Bar parts={rows} total={total} thin />
        <ul class="outcomes small">
          {rows.map((r) => (
            <li data-outcome={r.key}>
              <span class={`key ${r.color}`} aria-hidden="true"></span>
              {r.label} <strong>{count(r.value)}</strong>
            </li>
          ))}
        </ul>
      </div>
    );
  }
  return (
    <div>
      <Bar parts={rows} total={total} />
      <table aria-labelledby={props.labelledBy} id="rollout-counts">
        <thead>
          <tr>
            <th scope="col">Outcome of each device's install</th>
            <th scope="col" class="num">Devices</th>
            <th scope="col" class="num">Share</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr data-outcome={r.key}>
              <th scope="row">
                <span class={`key ${r.color}`} aria-hidden="true"></span>
                {r.label}
              </th>
              <td class="num">{count(r.value)}</td>
              <td class="num">{percent(r.value, total)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Devices that started</th>
            <td class="num">{count(total)}</td>
            <td class="num"></td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
