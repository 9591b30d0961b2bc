/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Rendered once on the server (no reconciliation): list items need no `key`, which precompiled JSX
// would write out as an attribute.
// deno-lint-ignore-file jsx-key
/**
 * Private: one device: identity, state with Accept/Reject forms (each carrying the CSRF token),
 * labels, inventory, per-release counters and the timeline of its newest reports.
 */
import type { DeviceDetail, StoredReport } from "../fleet/fleet_store.ts";
import { ago, bytes, clip, count, shortCommit, utc } from "./_format.ts";
import { Layout } from "./_layout.tsx";

/** Longest report message shown (the API returns it whole). */
const MESSAGE_SHOWN = 300;
/** A download or verify reported this recently is taken to be still going on: the page reloads. */
const IN_PROGRESS_MS = 10 * 60_000;

/** What {@linkcode DevicePage} takes. */
export interface DevicePageProps {
  device: DeviceDetail;
  now: number;
  csrf: string;
}

/** True when the newest report is progress (an `ok` download or verify) received a moment ago. */
function installInProgress(device: DeviceDetail, now: number): boolean {
  const newest = device.reports[0];
  return newest !== undefined && newest.result === "ok" &&
    (newest.stage === "download" || newest.stage === "verify") &&
    now - newest.receivedAt.getTime() < IN_PROGRESS_MS;
}

function When(props: { at: Date | null; now: number }) {
  if (props.at === null) return <span class="muted">never</span>;
  return (
    <time datetime={props.at.toISOString()}>
      {utc(props.at)} <span class="muted">({ago(props.at, props.now)})</span>
    </time>
  );
}

function StateForm(props: { id: string; action: "accept" | "reject"; csrf: string }) {
  return (
    <form method="post" action={`/ui/devices/${props.id}/${props.action}`}>
      <input type="hidden" name="csrf" value={props.csrf} />
      <button class={props.action === "accept" ? "btn ok" : "btn danger"} type="submit">
        {props.action === "accept" ? "Accept device" : "Reject device"}
      </button>
    </form>
  );
}

function Identity(props: DevicePageProps) {
  const d = props.device;
  return (
    <section class="card" aria-labelledby="identity-h">
      <h2 id="identity-h">Identity and state</h2>
      <dl class="kv">
        <dt>State</dt>
        <dd>
          <span class={`badge s-${d.state}`} id="device-state">{d.state}</span>
        </dd>
        <dt>Device type</dt>
        <dd>{d.deviceType ?? <span class="muted">not reported yet</span>}</dd>
        <dt>OS</dt>
        <dd>{d.osVersion ?? <span class="muted">—</span>}</dd>
        <dt>drover</dt>
        <dd>{d.droverVersion ?? <span class="muted">—</span>}</dd>
        <dt>Enrolled</dt>
        <dd>
          <When at={d.enrolledAt} now={props.now} />
        </dd>
        <dt>Last seen</dt>
        <dd>
          <When at={d.lastSeen} now={props.now} />
        </dd>
        <dt>Public key</dt>
        <dd class="mono">{d.publicKey}</dd>
      </dl>
      <div class="actions-row">
        {d.state === "accepted" ? null : <StateForm id={d.id} action="accept" csrf={props.csrf} />}
        {d.state === "rejected" ? null : <StateForm id={d.id} action="reject" csrf={props.csrf} />}
      </div>
    </section>
  );
}

function Labels(props: { labels: Record<string, string> }) {
  const entries = Object.entries(props.labels);
  return (
    <section class="card" aria-labelledby="labels-h">
      <h2 id="labels-h">Labels</h2>
      {entries.length === 0 ? <p class="muted">No labels.</p> : (
        <table aria-labelledby="labels-h">
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {entries.map(([k, v]) => (
              <tr>
                <th scope="row">{k}</th>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Inventory(props: { device: DeviceDetail }) {
  const { apps, releases } = props.device;
  return (
    <section class="card" aria-labelledby="inventory-h">
      <h2 id="inventory-h">Installed apps</h2>
      {apps.length === 0 ? <p class="muted">None reported.</p> : (
        <div class="scroll">
          <table aria-labelledby="inventory-h">
            <thead>
              <tr>
                <th scope="col">App</th>
                <th scope="col">Ref</th>
                <th scope="col">Commit</th>
                <th scope="col" class="num">Serial</th>
                <th scope="col">Release</th>
              </tr>
            </thead>
            <tbody>
              {apps.map((a) => (
                <tr>
                  <th scope="row">{a.name}</th>
                  <td>{a.ref}</td>
                  <td class="mono">{shortCommit(a.commit)}</td>
                  <td class="num">{a.serial ?? "—"}</td>
                  <td class="mono small">{a.releaseId ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {releases.length === 0 ? null : (
        <div class="scroll">
          <table>
            <caption>Install events per release</caption>
            <thead>
              <tr>
                <th scope="col">App</th>
                <th scope="col">Commit</th>
                <th scope="col" class="num">Events</th>
                <th scope="col" class="num">OK</th>
                <th scope="col" class="num">Errors</th>
                <th scope="col" class="num">Rolled back</th>
                <th scope="col">Last</th>
              </tr>
            </thead>
            <tbody>
              {releases.map((r) => (
                <tr>
                  <th scope="row">{r.app}</th>
                  <td class="mono">{shortCommit(r.commit)}</td>
                  <td class="num">{count(r.events)}</td>
                  <td class="num">{count(r.ok)}</td>
                  <td class="num">{count(r.error)}</td>
                  <td class="num">{count(r.rolledBack)}</td>
                  <td>
                    <span class={`badge r-${r.lastResult}`}>
                      {r.lastStage} {r.lastResult.replace("_", " ")}
                    </span>
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

function Report(props: { report: StoredReport; now: number }) {
  const r = props.report;
  return (
    <tr>
      <th scope="row">
        <time datetime={r.receivedAt.toISOString()}>{utc(r.receivedAt)}</time>
        <span class="muted small">{` (${ago(r.receivedAt, props.now)})`}</span>
      </th>
      <td>{r.app}</td>
      <td class="mono">{shortCommit(r.commit)}</td>
      <td>{r.stage}</td>
      <td>
        <span class={`badge r-${r.result}`}>{r.result.replace("_", " ")}</span>
      </td>
      <td class="mono small">{r.errorCode ?? ""}</td>
      <td class="small">
        {r.message === null ? null : clip(r.message, MESSAGE_SHOWN)}
        {r.bytes === null ? null : <span class="muted">{` ${bytes(r.bytes)}`}</span>}
        {r.durationMs === null ? null : <span class="muted">{` ${(r.durationMs / 1000).toFixed(1)} s`}</span>}
      </td>
    </tr>
  );
}

/** The device page. */
export function DevicePage(props: DevicePageProps) {
  const d = props.device;
  return (
    <Layout
      title={`Device ${d.id}`}
      section="devices"
      csrf={props.csrf}
      refreshSeconds={installInProgress(d, props.now) ? 15 : undefined}
    >
      <p class="small">
        <a href="/ui/devices">Devices</a> / <span class="mono">{d.id}</span>
      </p>
      <h1>
        Device <span class="mono">{d.id}</span>
      </h1>
      <div class="grid">
        <Identity {...props} />
        <Labels labels={d.labels} />
      </div>
      <Inventory device={d} />
      <section class="card" aria-labelledby="timeline-h">
        <h2 id="timeline-h">Timeline</h2>
        {d.reports.length === 0 ? <p class="muted">No reports yet.</p> : (
          <div class="scroll">
            <table aria-labelledby="timeline-h">
              <thead>
                <tr>
                  <th scope="col">Received</th>
                  <th scope="col">App</th>
                  <th scope="col">Commit</th>
                  <th scope="col">Stage</th>
                  <th scope="col">Result</th>
                  <th scope="col">Error</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {d.reports.map((r) => <Report report={r} now={props.now} />)}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </Layout>
  );
}
