/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * Private: the overview's rollouts region: the rollouts not yet over (halted first, with their
 * reason; then paused, running), each with its steps bar and its devices by outcome.
 */
import { clip, shortCommit } from "./_format.ts";
import { RolloutBadge } from "./_rollout_badge.tsx";
import { RolloutCountsView } from "./_rollout_counts.tsx";
import { RolloutProgress } from "./_rollout_progress.tsx";
import { rolloutHref, type RolloutView } from "./_rollout_view.ts";

/** Longest reason shown on the overview (the rollout's page shows it whole). */
const REASON_SHOWN = 300;

/** What {@linkcode RolloutsRegion} takes. */
export interface RolloutsRegionProps {
  /** The rollouts in progress, in the order shown; `undefined`: the edge has no fleet database. */
  rollouts: RolloutView[] | undefined;
  /** More in progress than shown. */
  more: boolean;
  now: number;
}

/** The region. */
export function RolloutsRegion(props: RolloutsRegionProps) {
  const { rollouts } = props;
  return (
    <section class="card" id="rollouts" aria-labelledby="rollouts-h">
      <h2 id="rollouts-h">Rollouts in progress</h2>
      {rollouts === undefined || rollouts.length === 0
        ? <p class="muted">No staged rollout is running, paused or halted.</p>
        : (
          <ul class="plain rollouts">
            {rollouts.map((r, i) => (
              <li class={`rollout rs-${r.state}-edge`} data-rollout={r.id}>
                <h3 id={`rollout-${i}`}>
                  <a href={rolloutHref(r.id)}>
                    {r.app} <span class="muted">@ {r.ref}</span>{" "}
                    <span class="mono">{shortCommit(r.commit)}</span>
                  </a>{" "}
                  <RolloutBadge state={r.state} />
                </h3>
                {r.reason && r.state !== "running"
                  ? (
                    <p class={r.state === "halted" ? "error small" : "note small"}>
                      {clip(r.reason, REASON_SHOWN)}
                    </p>
                  )
                  : null}
                <RolloutProgress rollout={r} now={props.now} />
                <RolloutCountsView counts={r.counts} compact />
              </li>
            ))}
          </ul>
        )}
      <p class="small">
        <a href="/ui/rollouts">All rollouts{props.more ? " (more in progress than shown here)" : ""}</a>
      </p>
    </section>
  );
}
