/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Rendered once on the server (no reconciliation): list items need no `key`, which precompiled JSX
// would write out as an attribute.
// deno-lint-ignore-file jsx-key
/**
 * Private: the overview: devices by state and by when they were last seen, per app and ref how
 * many devices run each commit (a bar and a table), the latest install outcomes, and the rollouts
 * in progress (`_rollouts_region.tsx`; halted first).
 */
import type { FleetSummary } from "../fleet/fleet_store.ts";
import { Bar } from "./_bar.tsx";
import { count, percent, shortCommit } from "./_format.ts";
import { Layout } from "./_layout.tsx";
import { RolloutsRegion } from "./_rollouts_region.tsx";
import type { RolloutView } from "./_rollout_view.ts";

/** Most app/ref groups and commits per group the overview lists. */
const MAX_GROUPS = 20;
const MAX_COMMITS = 7;

/** What {@linkcode OverviewPage} takes. */
export interface OverviewPageProps {
  /** `undefined` when the edge has no fleet database. */
  summary: FleetSummary | undefined;
  /** How long without a request makes a device stale. */
  staleAfterMs: number;
  csrf: string;
  /** The edge's clock (ms). */
  now: number;
  /** The rollouts in progress, in the order shown (`undefined` without a fleet database). */
  rollouts: RolloutView[] | undefined;
  /** More rollouts in progress than shown. */
  moreRollouts: boolean;
  /** Reload after this many seconds (while a rollout is running). */
  refreshSeconds?: number;
}

const devicesHref = (query: Record<string, string>) => `/ui/devices?${new URLSearchParams(query)}`;

function Stat(props: { label: string; value: number; href?: string }) {
  return (
    <div>
      <dt>{props.label}</dt>
      <dd>{props.href ? <a href={props.href}>{count(props.value)}</a> : count(props.value)}</dd>
    </div>
  );
}

function AppGroup(props: { group: FleetSummary["apps"][number]; index: number }) {
  const { group, index } = props;
  const shown = group.commits.slice(0, MAX_COMMITS);
  const rest = group.commits.slice(MAX_COMMITS).reduce((sum, c) => sum + c.devices, 0);
  const parts = [
    ...shown.map((c, i) => ({ value: c.devices, color: `c${i}` })),
    { value: rest, color: "c7" },
  ];
  const id = `app-${index}`;
  return (
    <div>
      <h3 id={id}>
        {group.name} <span class="muted">@ {group.ref}</span>{" "}
        <span class="muted small">— {count(group.devices)} devices</span>
      </h3>
      <Bar parts={parts} total={group.devices} />
      <table aria-labelledby={id}>
        <thead>
          <tr>
            <th scope="col">Commit</th>
            <th scope="col" class="num">Devices</th>
            <th scope="col" class="num">Share</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((c, i) => (
            <tr>
              <th scope="row">
                <span class={`key c${i}`} aria-hidden="true"></span>
                <a class="mono" href={devicesHref({ app: group.name, commit: c.commit })}>
                  {shortCommit(c.commit)}
                </a>
              </th>
              <td class="num">{count(c.devices)}</td>
              <td class="num">{percent(c.devices, group.devices)}</td>
            </tr>
          ))}
          {rest > 0
            ? (
              <tr>
                <th scope="row">
                  <span class="key c7" aria-hidden="true"></span>
                  {group.commits.length - MAX_COMMITS} other commits
                </th>
                <td class="num">{count(rest)}</td>
                <td class="num">{percent(rest, group.devices)}</td>
              </tr>
            )
            : null}
        </tbody>
      </table>
    </div>
  );
}

function Outcomes(props: { last: FleetSummary["lastInstall"] }) {
  const rows = [
    { label: "Succeeded", value: props.last.ok, color: "k-ok" },
    { label: "Failed", value: props.last.error, color: "k-error" },
    { label: "Rolled back", value: props.last.rolledBack, color: "k-rolled_back" },
    { label: "No install reported", value: props.last.none, color: "k-none" },
  ];
  const total = rows.reduce((sum, r) => sum + r.value, 0);
  return (
    <section class="card" aria-labelledby="outcomes-h">
      <h2 id="outcomes-h">Latest install outcomes</h2>
      <Bar parts={rows} total={total} />
      <table aria-labelledby="outcomes-h">
        <thead>
          <tr>
            <th scope="col">Outcome of each device's latest install</th>
            <th scope="col" class="num">Devices</th>
            <th scope="col" class="num">Share</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <th scope="row">
                <span class={`key ${r.color}`} aria-hidden="true"></span>
                {r.label}
              </th>
              <td class="num">{count(r.value)}</td>
              <td class="num">{percent(r.value, total)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** The overview page. */
export function OverviewPage(props: OverviewPageProps) {
  const { summary } = props;
  const hours = Math.round(props.staleAfterMs / 3600_000);
  return (
    <Layout title="Overview" section="overview" csrf={props.csrf} refreshSeconds={props.refreshSeconds}>
      <h1>Fleet overview</h1>
      {summary === undefined
        ? <p class="note">This edge has no fleet database: only releases are shown.</p>
        : (
          <>
            <section class="card" aria-labelledby="devices-h">
              <h2 id="devices-h">Devices</h2>
              <dl class="stats" id="stats">
                <Stat label="Total" value={summary.devices.total} href="/ui/devices" />
                <Stat
                  label="Accepted"
                  value={summary.devices.accepted}
                  href={devicesHref({ state: "accepted" })}
                />
                <Stat
                  label="Pending"
                  value={summary.devices.pending}
                  href={devicesHref({ state: "pending" })}
                />
                <Stat
                  label="Rejected"
                  value={summary.devices.rejected}
                  href={devicesHref({ state: "rejected" })}
                />
                <Stat label={`Seen in the last ${hours} h`} value={summary.seen.recent} />
                <Stat label={`Not seen for ${hours} h`} value={summary.seen.stale} />
              </dl>
            </section>
            <div class="grid">
              <section class="card" aria-labelledby="apps-h">
                <h2 id="apps-h">What devices run</h2>
                {summary.apps.length === 0
                  ? <p class="muted">No device has reported an installed app yet.</p>
                  : null}
                {summary.apps.slice(0, MAX_GROUPS).map((group, i) => <AppGroup group={group} index={i} />)}
                {summary.apps.length > MAX_GROUPS
                  ? <p class="muted">{summary.apps.length - MAX_GROUPS} more apps and refs not shown.</p>
                  : null}
              </section>
              <Outcomes last={summary.lastInstall} />
            </div>
          </>
        )}
      <RolloutsRegion rollouts={props.rollouts} more={props.moreRollouts} now={props.now} />
    </Layout>
  );
}
