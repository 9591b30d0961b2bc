/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * Private: the rollouts the edge knows (halted first, then paused, running, ended; newest first
 * within each), one row each: state, percent now and effective, devices by outcome.
 */
import { ago, count, shortCommit } from "./_format.ts";
import { Layout } from "./_layout.tsx";
import { RolloutBadge } from "./_rollout_badge.tsx";
import { rolloutHref, type RolloutView } from "./_rollout_view.ts";

/** What {@linkcode RolloutsPage} takes. */
export interface RolloutsPageProps {
  /** `undefined`: the edge has no fleet database. */
  rollouts: RolloutView[] | undefined;
  /** More rollouts than listed. */
  more: boolean;
  now: number;
  csrf: string;
  refreshSeconds?: number;
}

/** The page. */
export function RolloutsPage(props: RolloutsPageProps) {
  const { rollouts } = props;
  return (
    <Layout title="Rollouts" section="rollouts" csrf={props.csrf} refreshSeconds={props.refreshSeconds}>
      <h1>Rollouts</h1>
      {rollouts === undefined
        ? <p class="note">This edge has no fleet database: it keeps no rollouts.</p>
        : rollouts.length === 0
        ? <p class="muted">No release this edge serves carries a signed staged rollout.</p>
        : (
          <section class="card" aria-labelledby="list-h">
            <h2 id="list-h">{count(rollouts.length)} rollouts{props.more ? " (the newest)" : ""}</h2>
            <div class="scroll">
              <table aria-labelledby="list-h" id="rollout-list">
                <thead>
                  <tr>
                    <th scope="col">Release</th>
                    <th scope="col">State</th>
                    <th scope="col" class="num">Percent now</th>
                    <th scope="col" class="num">Effective</th>
                    <th scope="col" class="num">In progress</th>
                    <th scope="col" class="num">Succeeded</th>
                    <th scope="col" class="num">Rolled back</th>
                    <th scope="col" class="num">Failed</th>
                    <th scope="col" class="num">Timed out</th>
                    <th scope="col">Changed</th>
                  </tr>
                </thead>
                <tbody>
                  {rollouts.map((r) => (
                    <tr data-rollout={r.id}>
                      <th scope="row">
                        <a href={rolloutHref(r.id)}>
                          {r.app} <span class="muted">@ {r.ref}</span>{" "}
                          <span class="mono">{shortCommit(r.commit)}</span>
                        </a>
                      </th>
                      <td>
                        <RolloutBadge state={r.state} />
                      </td>
                      <td class="num">{r.percentNow}%</td>
                      <td class="num">{r.effectivePercent}%</td>
                      <td class="num">{count(r.counts.inProgress)}</td>
                      <td class="num">{count(r.counts.succeeded)}</td>
                      <td class="num">{count(r.counts.rolledBack)}</td>
                      <td class="num">{count(r.counts.failed)}</td>
                      <td class="num">{count(r.counts.timedOut)}</td>
                      <td class="small">{ago(r.updatedAt, props.now)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        )}
    </Layout>
  );
}
