/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Rendered once on the server (no reconciliation): list items need no `key`, which precompiled JSX
// would write out as an attribute.
// deno-lint-ignore-file jsx-key
/**
 * Private: the devices page: a filter form (a GET, so filters are links) and one page of devices
 * from the store's cursor. Device-supplied strings are clipped on this page (in full on the
 * device's page), which bounds its weight whatever devices send.
 */
import type { Device, Page } from "../fleet/fleet_store.ts";
import { DEVICE_STATES } from "../fleet/fleet_store.ts";
import { type FilterFields, queryString, SEEN_WITHIN } from "./_device_filter.ts";
import { ago, clip, count, shortCommit, utc } from "./_format.ts";
import { Layout } from "./_layout.tsx";

/** Labels and apps shown per device in the list; the rest is counted. */
const SHOWN = 3;

/** What {@linkcode DevicesPage} takes. */
export interface DevicesPageProps {
  fields: FilterFields;
  /** Whether this is a later page (a cursor was given). */
  paged: boolean;
  /** The page, or `undefined` when the filter is malformed or there is no fleet. */
  page?: Page<Device>;
  /** Why there is no page. */
  error?: string;
  /** Published app names (suggestions for the app field). */
  apps: readonly string[];
  now: number;
  csrf: string;
}

function Filters(props: { fields: FilterFields; apps: readonly string[] }) {
  const { fields } = props;
  return (
    <form class="filters" method="get" action="/ui/devices" role="search" aria-label="Filter devices">
      <div>
        <label for="f-app">App</label>
        <input id="f-app" name="app" value={fields.app} list="f-apps" placeholder="owner/app" />
        <datalist id="f-apps">
          {props.apps.map((name) => <option value={name}></option>)}
        </datalist>
      </div>
      <div>
        <label for="f-commit">Commit</label>
        <input id="f-commit" name="commit" value={fields.commit} class="mono" placeholder="68200ec" />
      </div>
      <div>
        <label for="f-state">State</label>
        <select id="f-state" name="state">
          <option value="">any</option>
          {DEVICE_STATES.map((s) => <option value={s} selected={fields.state === s}>{s}</option>)}
        </select>
      </div>
      <div>
        <label for="f-label">Label</label>
        <input id="f-label" name="label" value={fields.label} placeholder="site=north" />
      </div>
      <div>
        <label for="f-seen">Last seen</label>
        <select id="f-seen" name="seen">
          <option value="">any time</option>
          {SEEN_WITHIN.map((s) => (
            <option value={s.value} selected={fields.seen === s.value}>{s.label}</option>
          ))}
        </select>
      </div>
      <div class="actions">
        <button class="btn primary" type="submit">Filter</button>
        <a href="/ui/devices">Clear</a>
      </div>
    </form>
  );
}

function Labels(props: { labels: Record<string, string> }) {
  const entries = Object.entries(props.labels);
  if (entries.length === 0) return <span class="muted">—</span>;
  return (
    <ul class="plain">
      {entries.slice(0, SHOWN).map(([k, v]) => <li>{clip(`${k}=${v}`, 40)}</li>)}
      {entries.length > SHOWN ? <li class="muted">+{entries.length - SHOWN} more</li> : null}
    </ul>
  );
}

function Apps(props: { apps: Device["apps"] }) {
  if (props.apps.length === 0) return <span class="muted">—</span>;
  return (
    <ul class="plain">
      {props.apps.slice(0, SHOWN).map((a) => (
        <li>
          {clip(a.name, 40)} <span class="mono">{shortCommit(a.commit)}</span>
        </li>
      ))}
      {props.apps.length > SHOWN ? <li class="muted">+{props.apps.length - SHOWN} more</li> : null}
    </ul>
  );
}

function Row(props: { device: Device; now: number }) {
  const d = props.device;
  return (
    <tr>
      <th scope="row">
        <a class="mono" href={`/ui/devices/${d.id}`}>{d.id}</a>
      </th>
      <td>
        <span class={`badge s-${d.state}`}>{d.state}</span>
      </td>
      <td>{d.deviceType === null ? <span class="muted">—</span> : clip(d.deviceType, 40)}</td>
      <td>
        <Labels labels={d.labels} />
      </td>
      <td>
        <Apps apps={d.apps} />
      </td>
      <td>
        {d.lastSeen === null
          ? <span class="muted">never</span>
          : (
            <time datetime={d.lastSeen.toISOString()} title={utc(d.lastSeen)}>
              {ago(d.lastSeen, props.now)}
            </time>
          )}
      </td>
      <td>
        {d.lastInstall === null ? <span class="muted">—</span> : (
          <>
            <span class={`badge r-${d.lastInstall.result}`}>{d.lastInstall.result.replace("_", " ")}</span>
            {" "}
            <span class="small">{d.lastInstall.stage} · {clip(d.lastInstall.app, 30)}</span>
          </>
        )}
      </td>
    </tr>
  );
}

/** The devices page. */
export function DevicesPage(props: DevicesPageProps) {
  const { page, fields } = props;
  const filtered = Object.values(fields).some(Boolean);
  return (
    <Layout title="Devices" section="devices" csrf={props.csrf}>
      <h1>Devices</h1>
      <section class="card" aria-label="Filters">
        <Filters fields={fields} apps={props.apps} />
      </section>
      {props.error ? <p class="error" role="alert">{props.error}</p> : null}
      {page === undefined ? null : (
        <section class="card" aria-labelledby="devices-h">
          <h2 id="devices-h">
            {count(page.items.length)} {page.items.length === 1 ? "device" : "devices"}
            {props.paged ? " on this page" : filtered ? " matching" : ""}
            {page.next ? <span class="muted small">(more on the next pages)</span> : null}
          </h2>
          {page.items.length === 0 ? <p class="muted">No device matches.</p> : (
            <div class="scroll">
              <table aria-labelledby="devices-h">
                <thead>
                  <tr>
                    <th scope="col">Device</th>
                    <th scope="col">State</th>
                    <th scope="col">Type</th>
                    <th scope="col">Labels</th>
                    <th scope="col">Apps</th>
                    <th scope="col">Last seen</th>
                    <th scope="col">Latest install</th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((d) => <Row device={d} now={props.now} />)}
                </tbody>
              </table>
            </div>
          )}
          <nav class="pager" aria-label="Pages">
            {props.paged ? <a href={`/ui/devices${queryString(fields)}`}>First page</a> : null}
            {page.next
              ? <a href={`/ui/devices${queryString(fields, page.next)}`} rel="next">Next page</a>
              : null}
          </nav>
        </section>
      )}
    </Layout>
  );
}
