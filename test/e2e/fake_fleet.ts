/**
 * Test helper: a minimal fleet API (`/v1/devices…`) that keeps to the edge's contract and records
 * everything, mounted into a repository test server (`serveDir(dir, fleet.intercept)` of
 * test/harness.ts), so one 127.0.0.1 host serves the repository and the fleet like the edge does.
 * Every device request is verified with core/fleet's `verifyDeviceRequest` (401 otherwise), its
 * counter must be above the device's last accepted one (409), report events are stored once per
 * id (`accepted` / `duplicates` as the edge counts them). A test can make it misbehave: `down`
 * (503), `hang` (no answer until closed), or delay report answers after storing them (a kill
 * window between "the edge has them" and "the device deleted them").
 *
 * @example
 * ```ts ignore
 * import { serveDir } from "../harness.ts";
 * import { FakeFleet } from "./fake_fleet.ts";
 * const fleet = new FakeFleet();
 * await using server = serveDir("./repo", fleet.intercept);
 * // drover enroll --api server.url …
 * await fleet.close();
 * ```
 * @module
 */
import { verifyDeviceRequest } from "../../core/fleet/device_request.ts";
import { type Inventory, parseInventory } from "../../core/fleet/inventory.ts";
import { parseReportBatch, type ReportEvent } from "../../core/fleet/report_events.ts";

/** What the fake fleet knows of a device. */
export interface FakeDevice {
  id: string;
  publicKey: string;
  state: "accepted" | "pending" | "rejected";
  labels: Record<string, string>;
  counter: number;
  enrollments: number;
  inventories: Inventory[];
  /** Stored events by id (first copy kept). */
  events: Map<string, ReportEvent>;
  accepted: number;
  duplicates: number;
  /** Sum of the `dropped` counts reported. */
  dropped: number;
}

/** One request to `/v1/…`. */
export interface FleetRequest {
  path: string;
  status: number;
  counter?: number;
  authorization: string | null;
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  Response.json(body, { status, headers });
const refuse = (status: number, code: string, message: string) => json({ error: { code, message } }, status);

/** The fake fleet API. */
export class FakeFleet {
  readonly devices = new Map<string, FakeDevice>();
  readonly requests: FleetRequest[] = [];
  /** `down`: 503 with Retry-After; `hang`: no answer until {@linkcode close}. */
  mode: "ok" | "down" | "hang" = "ok";
  /** State of newly enrolled devices (with a valid token: accepted). */
  enrollState: "accepted" | "pending" = "pending";
  /** An enrolment token that makes a device accepted. */
  token = "enroll-token-0123456789";
  /** Wait this long after storing a report batch before answering. */
  reportDelayMs = 0;
  /** Called once a report batch is stored (before the answer, see {@linkcode reportDelayMs}). */
  onReportsStored?: () => void;
  /** The `rollouts` of every check-in answer (the edge's holds: `{ <rolloutId>: { cap, state } }`). */
  rollouts: Record<string, unknown> = {};
  #waiting: (() => void)[] = [];

  /** The `intercept` of `serveDir`: answers `/v1/…`, leaves the rest to the file server. */
  readonly intercept = async (path: string, req: Request): Promise<Response | undefined> => {
    if (!path.startsWith("/v1/")) return undefined;
    const entry: FleetRequest = { path, status: 0, authorization: req.headers.get("authorization") };
    this.requests.push(entry);
    const res = await this.#handle(path, req, entry);
    entry.status = res.status;
    return res;
  };

  /** Answers everything that hangs (before the server shuts down). */
  close(): void {
    for (const release of this.#waiting.splice(0)) release();
  }

  /** The device, which must exist. */
  device(id: string): FakeDevice {
    const d = this.devices.get(id);
    if (!d) throw new Error(`no device ${id} at the fake fleet`);
    return d;
  }

  async #handle(path: string, req: Request, entry: FleetRequest): Promise<Response> {
    if (this.mode === "hang") {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
      return refuse(503, "E_CLOSED", "closing");
    }
    if (this.mode === "down") {
      return json({ error: { code: "E_DOWN", message: "down" } }, 503, { "retry-after": "1" });
    }
    if (req.method !== "POST") return refuse(405, "E_METHOD", "POST only");
    const body = new Uint8Array(await req.arrayBuffer());
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(new TextDecoder().decode(body));
    } catch {
      return refuse(400, "E_BAD_REQUEST", "not JSON");
    }
    const enrolling = path === "/v1/devices";
    const m = /^\/v1\/devices\/(d_[0-9a-f]{32})\/(checkin|reports)$/.exec(path);
    if (!enrolling && !m) return refuse(404, "E_NOT_FOUND", "no such route");
    let verified;
    try {
      verified = await verifyDeviceRequest(req, {
        body,
        publicKey: (id) => enrolling ? String(doc.publicKey) : this.devices.get(id)?.publicKey,
        ...(m ? { deviceId: m[1] } : {}),
      });
    } catch (error) {
      return refuse(401, "E_SIGNATURE", (error as Error).message);
    }
    entry.counter = verified.counter;
    const id = verified.deviceId;
    let device = this.devices.get(id);
    if (device?.state === "rejected") return refuse(403, "E_FORBIDDEN", `device ${id} is rejected`);
    if (device && verified.counter <= device.counter) {
      return refuse(409, "E_REPLAY", `counter ${verified.counter} is not above ${device.counter}`);
    }
    if (enrolling) {
      const token = /^Bearer (.+)$/.exec(req.headers.get("authorization") ?? "")?.[1];
      if (token !== undefined && token !== this.token) return refuse(403, "E_FORBIDDEN", "bad token");
      device ??= {
        id,
        publicKey: String(doc.publicKey),
        state: this.enrollState,
        labels: {},
        counter: 0,
        enrollments: 0,
        inventories: [],
        events: new Map(),
        accepted: 0,
        duplicates: 0,
        dropped: 0,
      };
      if (token !== undefined) device.state = "accepted";
      device.labels = (doc.labels as Record<string, string>) ?? device.labels;
      device.counter = verified.counter;
      device.enrollments++;
      this.devices.set(id, device);
      return json({ id, state: device.state, labels: device.labels });
    }
    if (!device) return refuse(401, "E_SIGNATURE", "unknown device");
    if (m![2] === "checkin") {
      let inventory: Inventory;
      try {
        inventory = parseInventory(doc);
      } catch (error) {
        return refuse(400, "E_BAD_REQUEST", (error as Error).message);
      }
      device.counter = verified.counter;
      device.inventories.push(inventory);
      return json({ rollouts: this.rollouts });
    }
    let batch;
    try {
      batch = parseReportBatch(doc);
    } catch (error) {
      return refuse(400, "E_BAD_REQUEST", (error as Error).message);
    }
    device.counter = verified.counter;
    let accepted = 0, duplicates = 0;
    for (const event of batch.events) {
      if (device.events.has(event.id)) duplicates++;
      else {
        device.events.set(event.id, event);
        accepted++;
      }
    }
    device.accepted += accepted;
    device.duplicates += duplicates;
    device.dropped += batch.dropped ?? 0;
    this.onReportsStored?.();
    if (this.reportDelayMs > 0) await new Promise((r) => setTimeout(r, this.reportDelayMs));
    return json({ accepted, duplicates });
  }
}
