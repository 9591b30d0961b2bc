/**
 * Private: the operator API's query parameters, checked strictly (unknown or repeated ones are a
 * 400, so a typo never silently widens a list).
 */
import { assertDeviceId } from "../../../core/fleet/device_identity.ts";
import { parseLabel } from "../../../core/fleet/labels.ts";
import { isCommit } from "../../../core/names/mod.ts";
import { DEVICE_STATES, type DeviceFilter, type DeviceState } from "../fleet_store.ts";

function params(url: string, allowed: readonly string[], action: string): URLSearchParams {
  const search = new URL(url).searchParams;
  const seen = new Set<string>();
  for (const key of search.keys()) {
    if (!allowed.includes(key)) {
      throw new TypeError(
        `Cannot ${action}: unknown parameter '${key.slice(0, 40)}' (allowed: ${allowed.join(", ")})`,
      );
    }
    if (key !== "label" && seen.has(key)) throw new TypeError(`Cannot ${action}: '${key}' given twice`);
    seen.add(key);
  }
  return search;
}

function integer(text: string | null, name: string, range: { min: number; max: number }): number | undefined {
  if (text === null) return undefined;
  const n = /^\d{1,16}$/.test(text) ? Number(text) : NaN;
  if (!(n >= range.min && n <= range.max)) {
    throw new RangeError(`Cannot read query: '${name}' must be an integer from ${range.min} to ${range.max}`);
  }
  return n;
}

/** The filters and page of `GET /v1/fleet/devices`. */
export function listQuery(url: string): DeviceFilter & { limit?: number; cursor?: string } {
  const q = params(url, ["app", "commit", "state", "label", "seenSince", "limit", "cursor"], "list devices");
  const out: DeviceFilter & { limit?: number; cursor?: string } = {};
  const app = q.get("app");
  if (app !== null) out.app = app;
  const commit = q.get("commit");
  if (commit !== null) {
    if (!isCommit(commit)) {
      throw new TypeError(
        "Cannot list devices: 'commit' must be a commit or its first 7 or more digits (lower-case hex)",
      );
    }
    out.commit = commit;
  }
  const state = q.get("state");
  if (state !== null) {
    if (!DEVICE_STATES.includes(state as DeviceState)) {
      throw new TypeError("Cannot list devices: 'state' must be accepted, pending or rejected");
    }
    out.state = state as DeviceState;
  }
  const labels: Record<string, string> = {};
  for (const pair of q.getAll("label")) {
    const { key, value } = parseLabel(pair);
    if (Object.hasOwn(labels, key)) throw new TypeError(`Cannot list devices: label '${key}' given twice`);
    labels[key] = value;
  }
  if (Object.keys(labels).length > 0) out.labels = labels;
  const since = q.get("seenSince");
  if (since !== null) {
    const at = /^\d{4}-\d\d-\d\dT/.test(since) ? new Date(since) : new Date(NaN);
    if (Number.isNaN(at.getTime())) {
      throw new TypeError("Cannot list devices: 'seenSince' must be an ISO 8601 time (2026-01-01T00:00:00Z)");
    }
    out.seenSince = at;
  }
  const limit = integer(q.get("limit"), "limit", { min: 1, max: 500 });
  if (limit !== undefined) out.limit = limit;
  const cursor = q.get("cursor");
  if (cursor !== null && cursor !== "") {
    assertDeviceId(cursor);
    out.cursor = cursor;
  }
  return out;
}

/** `?reports=N` (0 to 100) of `GET /v1/fleet/devices/<id>`. */
export function deviceQuery(url: string): { reports?: number } {
  const reports = integer(params(url, ["reports"], "get device").get("reports"), "reports", {
    min: 0,
    max: 100,
  });
  return reports === undefined ? {} : { reports };
}

/** `?staleAfterMs=N` of `GET /v1/fleet/summary`. */
export function summaryQuery(url: string): { staleAfterMs?: number } {
  const stale = integer(
    params(url, ["staleAfterMs"], "summarize fleet").get("staleAfterMs"),
    "staleAfterMs",
    {
      min: 0,
      max: Number.MAX_SAFE_INTEGER,
    },
  );
  return stale === undefined ? {} : { staleAfterMs: stale };
}
