/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Rendered once on the server (no reconciliation): list items need no `key`, which precompiled JSX
// would write out as an attribute.
// deno-lint-ignore-file jsx-key
/**
 * Private: one rollout: state and reason, the steps (percent now, effective, next), the Pause /
 * Resume / End forms its state allows (each carrying the CSRF token), its devices by outcome, and
 * its failures grouped by outcome, stage and error code with a few example devices each.
 */
import type { RolloutState } from "../../core/rollout/mod.ts";
import type { RolloutFailureGroup } from "../fleet/fleet_store.ts";
import type { RolloutHalt } from "../../core/rollout/mod.ts";
import { clip, count, utc } from "./_format.ts";
import { Layout } from "./_layout.tsx";
import { RolloutBadge } from "./_rollout_badge.tsx";
import { RolloutCountsView } from "./_rollout_counts.tsx";
import { RolloutProgress } from "./_rollout_progress.tsx";
import { rolloutHref, type RolloutView } from "./_rollout_view.ts";

/** A rollout as its page shows it: the view and the signed halt rule. */
export type RolloutPageRollout = RolloutView & { halt: RolloutHalt };

/** Longest example message shown. */
const MESSAGE_SHOWN = 200;

/** The operator's actions, the states each is allowed from (as `RolloutWatch` has them), and what it does. */
const ROLLOUT_ACTIONS: readonly {
  action: string;
  from: readonly RolloutState[];
  label: string;
  help: string;
  style: string;
}[] = [
  {
    action: "pause",
    from: ["running"],
    label: "Pause rollout",
    help: "holds every device at 0% until resumed",
    style: "btn",
  },
  {
    action: "resume",
    from: ["paused", "halted", "ended"],
    label: "Resume rollout",
    help: "devices follow the signed steps again; the halt rule counts afresh",
    style: "btn ok",
  },
  {
    action: "end",
    from: ["running", "paused", "halted"],
    label: "End rollout",
    help: "the edge stops holding and watching it: devices follow the signed steps",
    style: "btn danger",
  },
];

/** What {@linkcode RolloutPage} takes. */
export interface RolloutPageProps {
  rollout: RolloutPageRollout;
  failures: RolloutFailureGroup[];
  now: number;
  csrf: string;
  /** Why the action just asked for was refused. */
  error?: string;
  refreshSeconds?: number;
}

function Actions(props: { rollout: RolloutPageRollout; csrf: string }) {
  const allowed = ROLLOUT_ACTIONS.filter((a) => a.from.includes(props.rollout.state));
  if (allowed.length === 0) return <p class="muted">Nothing to do: this rollout is {props.rollout.state}.</p>;
  return (
    <div class="actions-row" id="rollout-actions">
      {allowed.map((a) => (
        <form method="post" action={`${rolloutHref(props.rollout.id)}/${a.action}`}>
          <input type="hidden" name="csrf" value={props.csrf} />
          <button class={a.style} type="submit" aria-describedby={`help-${a.action}`}>{a.label}</button>
        </form>
      ))}
      <ul class="plain small muted">
        {allowed.map((a) => <li id={`help-${a.action}`}>{a.label}: {a.help}.</li>)}
      </ul>
    </div>
  );
}

function Failures(props: { failures: RolloutFailureGroup[] }) {
  return (
    <section class="card" aria-labelledby="failures-h">
      <h2 id="failures-h">Failures by stage and error code</h2>
      {props.failures.length === 0
        ? <p class="muted">No device failed or rolled back.</p>
        : (
          <div class="scroll">
            <table aria-labelledby="failures-h" id="rollout-failures">
              <thead>
                <tr>
                  <th scope="col">Outcome</th>
                  <th scope="col">Stage</th>
                  <th scope="col">Error code</th>
                  <th scope="col" class="num">Devices</th>
                  <th scope="col">Examples</th>
                </tr>
              </thead>
              <tbody>
                {props.failures.map((g) => (
                  <tr>
                    <td>
                      <span class={`badge ${g.outcome === "failed" ? "r-error" : "r-rolled_back"}`}>
                        {g.outcome === "failed" ? "failed" : "rolled back"}
                      </span>
                    </td>
                    <td>{g.stage ?? <span class="muted">unknown</span>}</td>
                    <td class="mono">{g.code ?? <span class="muted">none</span>}</td>
                    <td class="num">{count(g.devices)}</td>
                    <td>
                      <ul class="plain examples">
                        {g.examples.map((e) => (
                          <li>
                            <a class="mono" href={`/ui/devices/${e.deviceId}`}>{e.deviceId}</a>
                            {e.message
                              ? <span class="muted small">{` — ${clip(e.message, MESSAGE_SHOWN)}`}</span>
                              : null}
                          </li>
                        ))}
                      </ul>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
    </section>
  );
}

/** The page. */
export function RolloutPage(props: RolloutPageProps) {
  const r = props.rollout;
  return (
    <Layout
      title={`Rollout ${r.app}`}
      section="rollouts"
      csrf={props.csrf}
      refreshSeconds={props.refreshSeconds}
    >
      <p class="small">
        <a href="/ui/rollouts">All rollouts</a>
      </p>
      <h1>
        Rollout of {r.app} <span class="muted">@ {r.ref}</span>
      </h1>
      {props.error ? <p class="error" role="alert" id="rollout-error">{props.error}</p> : null}
      <section class="card" aria-labelledby="state-h">
        <h2 id="state-h">State and steps</h2>
        <dl class="kv">
          <dt>State</dt>
          <dd>
            <RolloutBadge state={r.state} id="rollout-state" />
          </dd>
          <dt>Reason</dt>
          <dd id="rollout-reason">{r.reason ?? <span class="muted">—</span>}</dd>
          <dt>Commit</dt>
          <dd class="mono">{r.commit}</dd>
          <dt>Rollout id</dt>
          <dd class="mono">{r.id}</dd>
          <dt>Published</dt>
          <dd>{utc(new Date(r.publishedAt))}</dd>
          <dt>Last change</dt>
          <dd>{utc(r.updatedAt)}</dd>
          <dt>Halt rule</dt>
          <dd>
            halts when more than {r.halt.maxFailurePercent}% of the finished devices (at least{" "}
            {r.halt.minDevices}) fail, roll back or go silent
          </dd>
        </dl>
        <h3>Steps</h3>
        <RolloutProgress rollout={r} now={props.now} detailed />
        <Actions rollout={r} csrf={props.csrf} />
      </section>
      <section class="card" aria-labelledby="counts-h">
        <h2 id="counts-h">Devices by outcome</h2>
        <RolloutCountsView counts={r.counts} labelledBy="counts-h" />
        <p class="small muted">
          Devices report download, verify, install and health check as they go; until an outcome they count as
          in progress, and as timed out once silent for longer than the edge's rollout timeout.
        </p>
      </section>
      <Failures failures={props.failures} />
    </Layout>
  );
}
