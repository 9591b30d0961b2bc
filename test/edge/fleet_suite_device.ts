/**
 * The fleet suite's device and operator (`fleet_suite.ts`): a device that signs its requests the
 * way `drover` does (core/fleet's `signDeviceRequest`, a counter raised for every request) and can
 * also send them unsigned, tampered, replayed or signed by another key; the operator's bearer
 * requests; small document builders. Works over any fetch-like: `app.request` in process, or real
 * HTTP. (The benchmark's load-generating device is `fleet_device.ts`.)
 * @module
 */
import {
  type DeviceIdentity,
  generateDeviceKey,
  loadDeviceIdentity,
} from "../../core/fleet/device_identity.ts";
import { signDeviceRequest } from "../../core/fleet/device_request.ts";
import type { Inventory, InventoryApp } from "../../core/fleet/inventory.ts";
import type { ReportEvent } from "../../core/fleet/report_events.ts";
import type { FetchLike } from "./suite_case.ts";

/** Operator token the fleet suites configure. */
export const OPERATOR_TOKEN = "operator-token-0123456789";
/** Enrolment token the fleet suites configure. */
export const ENROLL_TOKEN = "enroll-token-0123456789";

/** Options of {@linkcode TestDevice.send}. */
export interface SendOptions {
  body?: string | Uint8Array;
  /** Counter to sign with (default: the next one). */
  counter?: number;
  /** Extra headers (sent, not signed). */
  headers?: Record<string, string>;
  /** Sign with this identity instead (a device writing as another). */
  signer?: DeviceIdentity;
  /** Send this body instead of the signed one (tampering, or a stream: sent chunked). */
  sendBody?: BodyInit;
  /** Leave the signature out. */
  unsigned?: boolean;
  /** Send through this fetch-like instead of the device's (another edge). */
  via?: FetchLike;
}

/** A device with its own key and counter. */
export class TestDevice {
  readonly identity: DeviceIdentity;
  #fetch: FetchLike;
  /** The last counter used. */
  counter = 0;

  private constructor(fetch: FetchLike, identity: DeviceIdentity) {
    this.#fetch = fetch;
    this.identity = identity;
  }

  /** A new device (fresh key) talking through `fetch`. */
  static async create(fetch: FetchLike): Promise<TestDevice> {
    return new TestDevice(fetch, await loadDeviceIdentity(await generateDeviceKey()));
  }

  get id(): string {
    return this.identity.id;
  }

  /** A signed `method path` request (see {@linkcode SendOptions}). */
  async send(method: string, path: string, options: SendOptions = {}): Promise<Response> {
    const counter = options.counter ?? ++this.counter;
    this.counter = Math.max(this.counter, counter);
    const body = options.body ?? "";
    const headers = options.unsigned ? new Headers(options.headers) : await signDeviceRequest(
      { method, url: `http://edge.test${path}`, headers: options.headers, body },
      options.signer ?? this.identity,
      { counter },
    );
    const sent = options.sendBody ?? options.body;
    return await (options.via ?? this.#fetch)(path, {
      method,
      headers,
      ...(sent === undefined ? {} : { body: sent as BodyInit }),
      ...(sent instanceof ReadableStream ? { duplex: "half" } as RequestInit : {}),
    });
  }

  /** `POST /v1/devices` with this device's key. */
  enroll(options: { labels?: Record<string, string>; token?: string } & SendOptions = {}): Promise<Response> {
    const { labels, token, ...send } = options;
    const body = JSON.stringify({ publicKey: this.identity.publicKey, ...(labels ? { labels } : {}) });
    return this.send("POST", "/v1/devices", {
      body,
      ...send,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...send.headers },
    });
  }

  /** `POST /v1/devices/<id>/checkin`. */
  checkin(inventory: Inventory, options: SendOptions = {}): Promise<Response> {
    return this.send("POST", `/v1/devices/${this.id}/checkin`, {
      body: JSON.stringify(inventory),
      ...options,
    });
  }

  /** `POST /v1/devices/<id>/reports`. */
  report(events: ReportEvent[], options: SendOptions = {}): Promise<Response> {
    return this.send("POST", `/v1/devices/${this.id}/reports`, {
      body: JSON.stringify({ schema: 1, events }),
      ...options,
    });
  }
}

/** The operator's side: requests with the bearer token. */
export function operator(fetch: FetchLike, token: string = OPERATOR_TOKEN): {
  get(path: string): Promise<Response>;
  post(path: string, body?: unknown): Promise<Response>;
  /** GET a JSON document; throws unless 200. */
  json(path: string): Promise<Record<string, unknown> & { items?: Record<string, unknown>[] }>;
} {
  const headers = { authorization: `Bearer ${token}` };
  return {
    get: (path) => fetch(path, { headers }),
    post: (path, body) =>
      fetch(path, { method: "POST", headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }),
    async json(path) {
      const res = await fetch(path, { headers });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${text}`);
      return JSON.parse(text);
    },
  };
}

/** An installed app entry. */
export function installed(name: string, commit: string, extra: Partial<InventoryApp> = {}): InventoryApp {
  return { name, ref: "main", commit, serial: 1, sha256: null, releaseId: null, ...extra };
}

/** A check-in inventory. */
export function inventoryOf(apps: InventoryApp[], labels: Record<string, string> = {}): Inventory {
  return { schema: 1, deviceType: "raspberrypi4-64", droverVersion: "0.1.0", apps, labels };
}

/** A report event with a fresh random id. */
export function reportEvent(app: string, commit: string, extra: Partial<ReportEvent> = {}): ReportEvent {
  return {
    id: crypto.randomUUID(),
    app,
    commit,
    stage: "health",
    result: "ok",
    at: new Date().toISOString(),
    ...extra,
  };
}
