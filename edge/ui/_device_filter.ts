/**
 * Private: the devices page's query (`app`, `commit`, `state`, `label=KEY=VALUE`, `seen`, `cursor`)
 * as the filter form submits it: empty fields mean "any", unknown parameters are ignored, and a
 * malformed value becomes a message on the page (not a JSON error).
 */
import { assertDeviceId } from "../../core/fleet/device_identity.ts";
import { parseLabel } from "../../core/fleet/labels.ts";
import { DEVICE_STATES, type DeviceFilter, type DeviceState } from "../fleet/fleet_store.ts";

/** The choices of the "last seen" filter, in the order the form lists them. */
export const SEEN_WITHIN: readonly { value: string; label: string; ms: number }[] = [
  { value: "1h", label: "in the last hour", ms: 3600_000 },
  { value: "24h", label: "in the last 24 hours", ms: 24 * 3600_000 },
  { value: "7d", label: "in the last 7 days", ms: 7 * 24 * 3600_000 },
  { value: "30d", label: "in the last 30 days", ms: 30 * 24 * 3600_000 },
];

/** The form's fields as given (to fill the form in again). */
export interface FilterFields {
  app: string;
  commit: string;
  state: string;
  label: string;
  seen: string;
}

/** A parsed devices query. */
export interface DeviceQuery {
  fields: FilterFields;
  /** What to ask the store (`undefined` when a field is malformed). */
  filter?: DeviceFilter & { cursor?: string };
  /** Why the query cannot be run. */
  error?: string;
}

const field = (q: URLSearchParams, name: string, max: number) => (q.get(name) ?? "").trim().slice(0, max);

/** Reads the devices page's query; `now` anchors the "last seen" choices. */
export function deviceQuery(url: string, now: number): DeviceQuery {
  const q = new URL(url).searchParams;
  const fields: FilterFields = {
    app: field(q, "app", 200),
    commit: field(q, "commit", 64),
    state: field(q, "state", 16),
    label: (q.get("label") ?? "").slice(0, 200),
    seen: field(q, "seen", 8),
  };
  const filter: DeviceFilter & { cursor?: string } = {};
  try {
    if (fields.app) filter.app = fields.app;
    if (fields.commit) filter.commit = fields.commit.toLowerCase();
    if (fields.state) {
      if (!DEVICE_STATES.includes(fields.state as DeviceState)) {
        throw new TypeError("Cannot filter devices: the state must be accepted, pending or rejected");
      }
      filter.state = fields.state as DeviceState;
    }
    if (fields.label.trim()) {
      const { key, value } = parseLabel(fields.label.trim());
      filter.labels = { [key]: value };
    }
    if (fields.seen) {
      const choice = SEEN_WITHIN.find((s) => s.value === fields.seen);
      if (!choice) throw new TypeError("Cannot filter devices: unknown 'last seen' choice");
      filter.seenSince = new Date(now - choice.ms);
    }
    const cursor = q.get("cursor");
    if (cursor) {
      assertDeviceId(cursor);
      filter.cursor = cursor;
    }
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) return { fields, error: error.message };
    throw error;
  }
  return { fields, filter };
}

/** The query string of `fields` (empty ones left out) and an optional cursor. */
export function queryString(fields: FilterFields, cursor?: string): string {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) if (value) q.set(name, value);
  if (cursor) q.set("cursor", cursor);
  const text = q.toString();
  return text ? `?${text}` : "";
}
