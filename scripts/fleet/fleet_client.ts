/**
 * The operator's client of the edge's fleet API (`/v1/fleet/…`, bearer operator token): lists of
 * devices and rollouts with filters and cursors, one device, accept and reject, the summary.
 * Answers are the API's JSON documents as sent (times are ISO strings). Failures: `TransientError`
 * when the edge cannot be reached or does not answer in time, `FleetApiError` for an error answer,
 * `Error` for an answer that is not the expected JSON. Runs on Node 20+ and Deno (global `fetch`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FleetClient } from "./fleet_client.ts";
 * const seen: string[] = [];
 * const client = new FleetClient("http://127.0.0.1:8787", {
 *   token: "secret",
 *   fetch: (input) => {
 *     seen.push(String(input));
 *     return Promise.resolve(Response.json({ items: [], next: null }));
 *   },
 * });
 * assert.deepEqual(await client.listDevices({ commit: "1a2b3c4", labels: { site: "lab" } }), { items: [], next: null });
 * assert.equal(seen[0], "http://127.0.0.1:8787/v1/fleet/devices?commit=1a2b3c4&label=site%3Dlab");
 * ```
 * @module
 */
import { TransientError } from "../../core/errors.ts";
import { FleetApiError } from "./fleet_api_error.ts";
import { allPages } from "./_all_pages.ts";
import { safe } from "./_text.ts";
import type {
  DeviceDetailDoc,
  DeviceDoc,
  DevicePage,
  RolloutDoc,
  RolloutPage,
  SummaryDoc,
} from "./fleet_documents.ts";

/** Filters of {@linkcode FleetClient.listDevices} (all given ones must match). */
export interface DeviceQuery {
  app?: string;
  commit?: string;
  state?: string;
  /** Every one of these labels. */
  labels?: Record<string, string>;
  cursor?: string | null;
  /** Devices per page (the edge's default when absent). */
  limit?: number;
}

/** Filters of {@linkcode FleetClient.listRollouts} (all given ones must match). */
export interface RolloutQuery {
  app?: string;
  /** Any of these states. */
  state?: string[];
  cursor?: string | null;
  /** Rollouts per page (the edge's default when absent). */
  limit?: number;
}

/** Options of {@linkcode FleetClient}. */
export interface FleetClientOptions {
  /** The operator token (sent as `Authorization: Bearer`). */
  token: string;
  /** Per request (default 30,000 ms). */
  timeoutMs?: number;
  /** Cancels requests in flight (SIGINT). */
  signal?: AbortSignal;
  /** Default the global `fetch`. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
}

function failureOf(error: unknown): string {
  // fetch says "fetch failed"; why is in its cause (Node: `connect ECONNREFUSED …`, Deno: `… Connection refused`)
  const cause = (error as { cause?: unknown })?.cause;
  const detail = cause instanceof Error ? cause.message : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return detail ? `${message}: ${detail}` : message;
}

// white space and control characters: never in a bearer token
// deno-lint-ignore no-control-regex
const BAD_TOKEN = /[\s\x00-\x1f\x7f]/;

/** The fleet API of one edge. */
export class FleetClient {
  #base: URL;
  #token: string;
  #timeoutMs: number;
  #signal: AbortSignal | undefined;
  #fetch: (input: string, init: RequestInit) => Promise<Response>;

  /** `edge`: the edge's base URL (http or https; a path prefix is kept). */
  constructor(edge: string | URL, options: FleetClientOptions) {
    let base: URL;
    try {
      base = new URL(String(edge));
    } catch {
      throw new TypeError(`Cannot use edge URL '${String(edge).slice(0, 200)}': not a URL`);
    }
    if (base.protocol !== "http:" && base.protocol !== "https:") {
      throw new TypeError(`Cannot use edge URL '${base.href.slice(0, 200)}': expected http or https`);
    }
    if (base.username || base.password) {
      throw new TypeError("Cannot use edge URL: it carries credentials (pass the token separately)");
    }
    if (typeof options?.token !== "string" || options.token === "" || BAD_TOKEN.test(options.token)) {
      throw new TypeError("Cannot use operator token: empty or holding white space or control characters");
    }
    base.search = "";
    base.hash = "";
    if (!base.pathname.endsWith("/")) base.pathname += "/";
    this.#base = base;
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#signal = options.signal;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** The edge's base URL. */
  get edge(): string {
    return this.#base.href;
  }

  /** One page of devices. */
  async listDevices(query: DeviceQuery = {}): Promise<DevicePage> {
    const params = new URLSearchParams();
    for (const key of ["app", "commit", "state"] as const) {
      if (query[key] !== undefined) params.append(key, query[key]);
    }
    for (const [key, value] of Object.entries(query.labels ?? {})) params.append("label", `${key}=${value}`);
    if (query.cursor) params.append("cursor", query.cursor);
    if (query.limit !== undefined) params.append("limit", String(query.limit));
    const page = await this.#request("list devices", { path: "v1/fleet/devices", query: params });
    if (
      !isObject(page) || !Array.isArray(page.items) || !(page.next === null || typeof page.next === "string")
    ) {
      throw new Error("Cannot list devices: the edge's answer is not a page { items, next }");
    }
    return page as unknown as DevicePage;
  }

  /** Every device matching `query`, following cursors (`limit` per page, default 500). */
  async allDevices(query: Omit<DeviceQuery, "cursor"> = {}): Promise<DeviceDoc[]> {
    return await allPages("list devices", (cursor) => this.listDevices({ limit: 500, ...query, cursor }));
  }

  /** One device with its details. */
  async getDevice(id: string): Promise<DeviceDetailDoc> {
    const doc = await this.#request(`get device ${id}`, {
      path: `v1/fleet/devices/${encodeURIComponent(id)}`,
    });
    return deviceDoc(doc, `get device ${id}`) as DeviceDetailDoc;
  }

  /** Accept or reject a device; resolves to the device afterwards. */
  async setState(id: string, action: "accept" | "reject"): Promise<DeviceDoc> {
    const doc = await this.#request(`${action} device ${id}`, {
      path: `v1/fleet/devices/${encodeURIComponent(id)}/${action}`,
      method: "POST",
    });
    return deviceDoc(doc, `${action} device ${id}`);
  }

  /** The fleet summary. */
  async summary(): Promise<SummaryDoc> {
    const doc = await this.#request("get fleet summary", { path: "v1/fleet/summary" });
    if (!isObject(doc) || !isObject(doc.devices) || !Array.isArray(doc.apps)) {
      throw new Error("Cannot get fleet summary: the edge's answer is not a summary");
    }
    return doc as unknown as SummaryDoc;
  }

  /** One page of rollouts, newest first. */
  async listRollouts(query: RolloutQuery = {}): Promise<RolloutPage> {
    const params = new URLSearchParams();
    if (query.app !== undefined) params.append("app", query.app);
    for (const state of query.state ?? []) params.append("state", state);
    if (query.cursor) params.append("cursor", query.cursor);
    if (query.limit !== undefined) params.append("limit", String(query.limit));
    const doc = await this.#request("list rollouts", { path: "v1/fleet/rollouts", query: params });
    // an edge from before paging sends no `next`: its one page is all there is to get
    const next = isObject(doc) && doc.next === undefined ? null : (doc as { next?: unknown })?.next;
    if (
      !isObject(doc) || !Array.isArray(doc.items) || !doc.items.every((r) => rolloutDoc(r)) ||
      !(next === null || typeof next === "string")
    ) {
      throw new Error("Cannot list rollouts: the edge's answer is not a page { items, next }");
    }
    return { items: doc.items as RolloutDoc[], next };
  }

  /** Every rollout matching `query`, newest first, following cursors (`limit` per page, default 500). */
  async allRollouts(query: Omit<RolloutQuery, "cursor"> = {}): Promise<RolloutDoc[]> {
    return await allPages("list rollouts", (cursor) => this.listRollouts({ limit: 500, ...query, cursor }));
  }

  /** One rollout. */
  async getRollout(id: string): Promise<RolloutDoc> {
    const doc = await this.#request(`get rollout ${id}`, {
      path: `v1/fleet/rollouts/${encodeURIComponent(id)}`,
    });
    if (!rolloutDoc(doc)) throw new Error(`Cannot get rollout ${id}: the edge's answer is not a rollout`);
    return doc;
  }

  /** Pause, resume or end a rollout; resolves to the rollout afterwards. */
  async setRollout(id: string, action: "pause" | "resume" | "end"): Promise<RolloutDoc> {
    const doc = await this.#request(`${action} rollout ${id}`, {
      path: `v1/fleet/rollouts/${encodeURIComponent(id)}/${action}`,
      method: "POST",
    });
    if (!rolloutDoc(doc)) {
      throw new Error(`Cannot ${action} rollout ${id}: the edge's answer is not a rollout`);
    }
    return doc;
  }

  async #request(
    action: string,
    options: { path: string; method?: string; query?: URLSearchParams },
  ): Promise<unknown> {
    const url = new URL(options.path, this.#base);
    if (options.query && options.query.size > 0) url.search = options.query.toString();
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = this.#signal ? AbortSignal.any([this.#signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await this.#fetch(url.href, {
        method: options.method ?? "GET",
        headers: { authorization: `Bearer ${this.#token}`, accept: "application/json" },
        signal,
      });
    } catch (error) {
      if (this.#signal?.aborted) throw error;
      const why = timeout.aborted ? `no answer within ${this.#timeoutMs} ms` : failureOf(error);
      throw new TransientError(`Cannot ${action}: cannot reach the edge at ${this.#base.origin}: ${why}`, {
        cause: error,
      });
    }
    let text: string;
    try {
      text = await res.text();
    } catch (error) {
      throw new TransientError(`Cannot ${action}: the edge's answer broke off: ${failureOf(error)}`, {
        cause: error,
      });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!res.ok) throw apiError(action, { status: res.status, body, text });
    if (body === undefined) {
      throw new Error(`Cannot ${action}: the edge answered ${res.status} with no JSON document`);
    }
    return body;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function rolloutDoc(doc: unknown): doc is RolloutDoc {
  return isObject(doc) && typeof doc.id === "string" && typeof doc.state === "string" && isObject(doc.counts);
}

function deviceDoc(doc: unknown, action: string): DeviceDoc {
  if (!isObject(doc) || typeof doc.id !== "string" || typeof doc.state !== "string") {
    throw new Error(`Cannot ${action}: the edge's answer is not a device`);
  }
  return doc as unknown as DeviceDoc;
}

function apiError(action: string, answer: { status: number; body: unknown; text: string }): FleetApiError {
  const { status, body } = answer;
  const error = isObject(body) && isObject(body.error) ? body.error : undefined;
  const code = typeof error?.code === "string" ? error.code : undefined;
  const said = typeof error?.message === "string"
    ? error.message
    : answer.text.trim().slice(0, 200) || "no details";
  // what the edge says may echo device-supplied text: escaped, as everything printed from it
  let message = `Cannot ${action}: the edge answered ${status}${code ? ` ${safe(code)}` : ""}: ${safe(said)}`;
  if (status === 401 || status === 403) {
    message += " (check the operator token: --token-file, DROVER_OPERATOR_TOKEN or DROVER_TOKEN)";
  }
  return new FleetApiError(message, { status, code });
}
