/** Private: the text views of rollouts (`drover-fleet rollouts`, `rollout`, `pause`/`resume`/`end`). */
import { ROLLOUT_ID } from "../../core/rollout/mod.ts";
import type { Parsed } from "../../device/cli/define_command.ts";
import { UsageError } from "../../device/cli/usage_error.ts";
import { safe, short, table, time } from "./_text.ts";
import type { RolloutCountsDoc, RolloutDoc } from "./fleet_documents.ts";

/** The rollout id positional, checked. */
export function rolloutIdArg(parsed: Parsed): string {
  const id = parsed.positionals[0];
  if (typeof id !== "string" || !ROLLOUT_ID.test(id)) {
    throw new UsageError(`ID must be a rollout id, got '${safe(String(id).slice(0, 80))}'`);
  }
  return id;
}

/** `ok 3, failed 1, rolled back 2, silent 0, in progress 4`. */
export function countsText(c: RolloutCountsDoc): string {
  return `ok ${c.succeeded}, failed ${c.failed}, rolled back ${c.rolledBack}, silent ${c.timedOut}, ` +
    `in progress ${c.inProgress}`;
}

const percent = (p: unknown) => (typeof p === "number" ? `${p}%` : "-");

/** The table of rollouts. */
export function rolloutsTable(items: readonly RolloutDoc[]): string {
  return table(
    ["ID", "STATE", "NOW", "CAP", "REACH", "OK", "BAD", "REASON"],
    items.map((r) => [
      r.id,
      r.state,
      percent(r.percentNow),
      percent(r.cap),
      `${r.devicesInReach}/${r.devicesOnApp}`,
      r.counts.succeeded,
      r.counts.failed + r.counts.rolledBack + r.counts.timedOut,
      r.reason,
    ]),
  );
}

/** One rollout. */
export function rolloutText(r: RolloutDoc): string {
  const steps = r.steps.map((s) => (s.afterHours === 0 ? `${s.percent}%` : `${s.percent}%@${s.afterHours}h`));
  const fields: [string, string][] = [
    ["id", safe(r.id)],
    ["release", `${safe(r.app)} ${safe(r.ref)} ${short(r.commit)} (serial ${safe(r.serial)})`],
    ["state", safe(r.state)],
    ["reason", safe(r.reason)],
    ["published", time(r.publishedAt)],
    ["steps", safe(steps.join(", "))],
    ["halt rule", `after ${safe(r.halt.minDevices)} devices, above ${safe(r.halt.maxFailurePercent)}% bad`],
    [
      "percent",
      `${percent(r.percentNow)} signed now, cap ${percent(r.cap)}, ${percent(r.effectivePercent)} in effect`,
    ],
    ["devices", `${safe(r.devicesInReach)} of ${safe(r.devicesOnApp)} on the app in reach`],
    ["counts", safe(countsText(r.counts))],
    ["watched", `${safe(countsText(r.watched))} (since ${time(r.watchedSince)})`],
    ["top errors", safe(r.topErrors.map((e) => `${e.code} ${e.devices}`).join(", ") || "-")],
    ["updated", time(r.updatedAt)],
  ];
  return fields.map(([k, v]) => `${k.padEnd(12)}${v}\n`).join("");
}
