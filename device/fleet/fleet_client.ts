/**
 * The device's client of the fleet API (the edge's `/v1/devices…` routes): every request is
 * JSON, signed with the device identity (RFC 9421, `core/fleet/device_request.ts`) and carries a
 * new value of the persisted request counter (`request_counter.ts`), reserved before the request
 * leaves. The routes:
 *
 * ```
 * POST <api>/v1/devices                 enroll {publicKey, labels} (Authorization: Bearer <token>, optional) -> {id, state}
 * POST <api>/v1/devices/<id>/checkin    inventory                                                            -> {rollouts}
 * POST <api>/v1/devices/<id>/reports    report batch (idempotent by event id)                                -> {accepted, duplicates}
 * ```
 *
 * Failures: `TransientError` (`RetryableError` with the server's Retry-After) for network errors,
 * the time bound, 429 and 5xx, retried `retries` times (default 0) with backoff; a 409 (counter
 * refused as a replay: another request of this device got in first) is retried at once with a new
 * counter, twice; any other answer but 2xx is a {@linkcode FleetRequestError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateDeviceKey, loadDeviceIdentity, verifyDeviceRequest } from "../../core/fleet/mod.ts";
 * import { FleetClient } from "./fleet_client.ts";
 * const identity = await loadDeviceIdentity(await generateDeviceKey());
 * let n = 0;
 * const client = new FleetClient("https://edge.example", {
 *   identity,
 *   counter: { next: () => Promise.resolve(++n) },
 *   fetch: async (input, init) => {
 *     const body = String(init?.body);
 *     const v = await verifyDeviceRequest(
 *       { method: "POST", url: String(input), headers: new Headers(init?.headers) },
 *       { body, publicKey: () => identity.publicKey },
 *     );
 *     return Response.json({ id: v.deviceId, state: "pending" });
 *   },
 * });
 * assert.deepEqual(await client.enroll({ labels: {} }), { id: identity.id, state: "pending" });
 * ```
 * @module
 */
import { type DeviceIdentity, signDeviceRequest } from "../../core/fleet/mod.ts";
import type { Inventory } from "../../core/fleet/inventory.ts";
import type { ReportBatch } from "../../core/fleet/report_events.ts";
import { FETCH_DEFAULTS } from "../net/fetch_policy.ts";
import { withRetries } from "../net/http.ts";
import { RetryableError } from "../net/retryable_error.ts";
import { FleetRequestError } from "./fleet_request_error.ts";
import { postJson } from "./_post_json.ts";

/** Options of {@linkcode FleetClient}. */
export interface FleetClientOptions {
  identity: DeviceIdentity;
  /** Hands out request counters (a `RequestCounter`). */
  counter: { next(): Promise<number> };
  /** Bound on each attempt (request and answer), ms (default 10 000). */
  timeoutMs?: number;
  /** Retries on transient failures (default 0). */
  retries?: number;
  /** First backoff, ms (default 500). */
  baseDelayMs?: number;
  /** Longest backoff or Retry-After honoured, ms (default 30 000). */
  maxDelayMs?: number;
  signal?: AbortSignal;
  /** Told about each retry. */
  onRetry?: (info: { attempt: number; delayMs: number; error: Error }) => void;
  /** For tests: replaces the global `fetch`. */
  fetch?: typeof fetch;
}

/** What enrolment answers. */
export interface EnrollAnswer {
  id: string;
  state: "accepted" | "pending";
}

/** What a report batch answers. */
export interface ReportsAnswer {
  accepted: number;
  duplicates: number;
}

const REPLAY_RETRIES = 2;
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** A signed-request client of one fleet API for one device identity. */
export class FleetClient {
  /** The API base, with a trailing slash. */
  readonly api: URL;
  #o: FleetClientOptions;

  constructor(api: URL | string, options: FleetClientOptions) {
    const url = new URL(api);
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new TypeError(`Cannot use fleet API ${url}: http:// or https:// only`);
    }
    if (!url.pathname.endsWith("/")) url.pathname += "/";
    url.search = "";
    url.hash = "";
    this.api = url;
    this.#o = options;
  }

  /** Registers the identity (`publicKey` is the identity's) with `labels`; `token` is the enrolment token. */
  async enroll(
    body: { labels: Record<string, string> },
    options: { token?: string } = {},
  ): Promise<EnrollAnswer> {
    const doc = { publicKey: this.#o.identity.publicKey, labels: body.labels };
    const answer = await this.#post("v1/devices", doc, { action: "enroll", token: options.token });
    const a = answer as { id?: unknown; state?: unknown };
    if (a?.id !== this.#o.identity.id || (a.state !== "accepted" && a.state !== "pending")) {
      throw new Error(
        `Cannot enroll at ${this.api}: unexpected answer ${JSON.stringify(answer)?.slice(0, 200)}`,
      );
    }
    return { id: a.id, state: a.state };
  }

  /** Sends a check-in inventory; resolves with the edge's answer (`{ rollouts }`). */
  async checkIn(inventory: Inventory): Promise<unknown> {
    return await this.#post(`v1/devices/${this.#o.identity.id}/checkin`, inventory, { action: "check in" });
  }

  /** Sends a batch of report events (and the spool's `dropped` count). */
  async sendReports(batch: ReportBatch & { dropped?: number }): Promise<ReportsAnswer> {
    const answer = await this.#post(`v1/devices/${this.#o.identity.id}/reports`, batch, {
      action: "send reports",
    });
    const a = answer as { accepted?: unknown; duplicates?: unknown };
    return {
      accepted: typeof a?.accepted === "number" ? a.accepted : 0,
      duplicates: typeof a?.duplicates === "number" ? a.duplicates : 0,
    };
  }

  async #post(path: string, doc: unknown, o: { action: string; token?: string }): Promise<unknown> {
    const url = new URL(path, this.api);
    const body = JSON.stringify(doc);
    const maxDelayMs = this.#o.maxDelayMs ?? FETCH_DEFAULTS.maxDelayMs;
    const policy = {
      retries: this.#o.retries ?? 0,
      baseDelayMs: this.#o.baseDelayMs,
      maxDelayMs,
      signal: this.#o.signal,
      onRetry: this.#o.onRetry,
    };
    return await withRetries(async () => {
      for (let replays = 0;; replays++) {
        const counter = await this.#o.counter.next();
        const headers = await signDeviceRequest(
          {
            method: "POST",
            url,
            body,
            headers: {
              "content-type": "application/json",
              ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
            },
          },
          this.#o.identity,
          { counter },
        );
        const answer = await postJson(url, {
          headers,
          body,
          timeoutMs: this.#o.timeoutMs ?? 10_000,
          maxDelayMs,
          signal: this.#o.signal,
          fetch: this.#o.fetch,
        });
        const { status } = answer;
        if (status >= 200 && status < 300) return answer.json;
        if (status === 409 && replays < REPLAY_RETRIES) continue;
        const { code, message } = errorOf(answer.json);
        const detail = `Cannot ${o.action} at ${this.api}: HTTP ${status}${code ? ` ${code}` : ""}${
          message ? `: ${message}` : ""
        }`;
        if (status === 429 || status >= 500) {
          throw new RetryableError(detail, { retryAfterMs: answer.retryAfterMs });
        }
        throw new FleetRequestError(detail, { status, serverCode: code });
      }
    }, policy);
  }
}

/** The `{ error: { code, message } }` of an error answer, made safe to print. */
function errorOf(json: unknown): { code?: string; message?: string } {
  const e = (json as { error?: { code?: unknown; message?: unknown } })?.error;
  const clean = (v: unknown, max: number) =>
    typeof v === "string" && v !== "" ? v.replace(CONTROL, " ").slice(0, max) : undefined;
  return { code: clean(e?.code, 40), message: clean(e?.message, 300) };
}
