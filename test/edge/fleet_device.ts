/**
 * Test and benchmark helper: a simulated fleet device that signs its requests to the edge with
 * core/fleet (RFC 9421, a counter raised for every request), as `drover` on a device does:
 * enrolment, check-ins (inventories) and report events, sent with `fetch` or only signed (for a
 * load generator that sends them later, in order).
 *
 * @example
 * ```ts ignore
 * import { FleetTestDevice } from "./fleet_device.ts";
 * const device = await FleetTestDevice.create();
 * await device.enroll(edgeUrl, { token: "enroll-token", labels: { site: "lab" } });
 * await device.checkIn(edgeUrl, { apps: [{ name: "acme/radio", commit: "1a2b3c4" }] });
 * ```
 * @module
 */
import {
  type DeviceIdentity,
  generateDeviceKey,
  loadDeviceIdentity,
  signDeviceRequest,
} from "../../core/fleet/mod.ts";

/** A request signed and ready to send. */
export interface SignedRequest {
  method: "POST";
  /** Path and query, e.g. `/v1/devices/d_…/checkin`. */
  path: string;
  headers: Headers;
  body: string;
}

/** An answer of the edge. */
export interface Answer {
  status: number;
  json: unknown;
}

/** What a check-in says runs on the device (ref defaults to `main`, serial to 1). */
export interface CheckIn {
  apps: { name: string; commit: string; ref?: string; serial?: number }[];
  labels?: Record<string, string>;
  deviceType?: string;
}

/** One report event (`id` and `at` filled in when absent). */
export interface TestEvent {
  id?: string;
  app: string;
  commit: string;
  stage: "download" | "verify" | "install" | "health" | "rollback";
  result: "ok" | "error" | "rolled_back";
  errorCode?: string;
  message?: string;
  at?: string;
}

/** A device with its own key and request counter. */
export class FleetTestDevice {
  readonly identity: DeviceIdentity;
  #counter = 0;
  #events = 0;

  private constructor(identity: DeviceIdentity) {
    this.identity = identity;
  }

  /** A device with a new key. */
  static async create(): Promise<FleetTestDevice> {
    return new FleetTestDevice(await loadDeviceIdentity(await generateDeviceKey()));
  }

  /** The device id. */
  get id(): string {
    return this.identity.id;
  }

  /** The last counter used. */
  get counter(): number {
    return this.#counter;
  }

  /** Signs a POST of `body` to `path` with the next counter. */
  async sign(path: string, body: string): Promise<SignedRequest> {
    const headers = await signDeviceRequest(
      { method: "POST", url: `http://127.0.0.1${path}`, body },
      this.identity,
      { counter: ++this.#counter },
    );
    headers.set("content-type", "application/json");
    return { method: "POST", path, headers, body };
  }

  /** The signed enrolment request. */
  enrollRequest(options: { token?: string; labels?: Record<string, string> } = {}): Promise<SignedRequest> {
    const body = JSON.stringify({ publicKey: this.identity.publicKey, labels: options.labels ?? {} });
    return this.sign("/v1/devices", body).then((r) => {
      if (options.token) r.headers.set("authorization", `Bearer ${options.token}`);
      return r;
    });
  }

  /** The signed check-in request. */
  checkInRequest(checkIn: CheckIn): Promise<SignedRequest> {
    const inventory = {
      schema: 1,
      deviceType: checkIn.deviceType ?? "rpi4",
      droverVersion: "0.1.0",
      apps: checkIn.apps.map((a) => ({
        name: a.name,
        ref: a.ref ?? "main",
        commit: a.commit,
        serial: a.serial ?? 1,
        sha256: null,
        releaseId: null,
      })),
      labels: checkIn.labels ?? {},
    };
    return this.sign(`/v1/devices/${this.id}/checkin`, JSON.stringify(inventory));
  }

  /** The signed report request. */
  reportRequest(events: readonly TestEvent[]): Promise<SignedRequest> {
    const batch = {
      schema: 1,
      events: events.map((e) => ({
        ...e,
        id: e.id ?? `${this.id.slice(2, 14)}-${++this.#events}`,
        at: e.at ?? new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      })),
    };
    return this.sign(`/v1/devices/${this.id}/reports`, JSON.stringify(batch));
  }

  /** Enrols at `edge` (with an enrolment token: accepted at once). */
  async enroll(
    edge: string,
    options: { token?: string; labels?: Record<string, string> } = {},
  ): Promise<Answer> {
    return await send(edge, await this.enrollRequest(options));
  }

  /** Checks in at `edge`. */
  async checkIn(edge: string, checkIn: CheckIn): Promise<Answer> {
    return await send(edge, await this.checkInRequest(checkIn));
  }

  /** Sends report events to `edge`. */
  async report(edge: string, events: readonly TestEvent[]): Promise<Answer> {
    return await send(edge, await this.reportRequest(events));
  }
}

/** Sends a signed request to `edge` (`http://127.0.0.1:PORT`). */
export async function send(edge: string, request: SignedRequest): Promise<Answer> {
  const res = await fetch(edge + request.path, {
    method: request.method,
    headers: request.headers,
    body: request.body,
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

/** The request as HTTP/1.1 bytes (for a raw load generator). */
export function serialize(request: SignedRequest): Uint8Array {
  const body = new TextEncoder().encode(request.body);
  let head =
    `${request.method} ${request.path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: ${body.length}\r\n`;
  for (const [name, value] of request.headers) head += `${name}: ${value}\r\n`;
  const headBytes = new TextEncoder().encode(head + "\r\n");
  const out = new Uint8Array(headBytes.length + body.length);
  out.set(headBytes);
  out.set(body, headBytes.length);
  return out;
}
