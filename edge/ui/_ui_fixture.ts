/**
 * Private test fixture of the dashboard tests: an edge app over a temporary repository (the dev
 * repository: one app, one image) and an in-memory fleet, a movable clock, devices made through
 * the store, and a signed-in operator (cookie and CSRF token).
 */
import assert from "node:assert/strict";
import { createApp, type EdgeApp, type EdgeConfig } from "../app.ts";
import { createDevRepository } from "../dev_repository.ts";
import { FsStorage } from "../storage/fs_storage.ts";
import { SqliteFleetStore } from "../fleet/sqlite_fleet_store.ts";
import type { DeviceState } from "../fleet/fleet_store.ts";
import { generateDeviceKey } from "../../core/fleet/device_identity.ts";
import type { ReportEvent } from "../../core/fleet/report_events.ts";

/** The operator token of the fixture's edge. */
export const OPERATOR_TOKEN = "operator-token-for-tests";
/** The fixture's clock starts here. */
export const T0 = Date.parse("2026-03-01T12:00:00.000Z");

/** An edge with a fleet. */
export interface UiFixture {
  app: EdgeApp;
  store: SqliteFleetStore;
  /** The edge's clock (ms); tests move it. */
  clock: { now: number };
  close(): Promise<void>;
}

/** A fresh edge; `config` is added to the fixture's (operator token, clock). */
export async function uiFixture(config: EdgeConfig = {}): Promise<UiFixture> {
  const dir = await Deno.makeTempDir({ prefix: "drover-ui-" });
  const storage = new FsStorage(dir);
  await createDevRepository(storage, { now: new Date(T0) });
  const store = await SqliteFleetStore.open(":memory:");
  const clock = { now: T0 };
  const app = createApp({
    storage,
    fleet: store,
    config: { operatorToken: OPERATOR_TOKEN, clock: () => clock.now, ...config },
  });
  return {
    app,
    store,
    clock,
    async close() {
      await store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** What a test device runs and says. */
export interface DeviceSpec {
  state?: DeviceState;
  labels?: Record<string, string>;
  apps?: { name: string; commit: string; ref?: string }[];
  /** Report events (ids filled in). */
  reports?: Omit<ReportEvent, "id" | "at">[];
  /** When it checked in (default the fixture's T0). */
  now?: number;
}

let events = 0;

/** Enrolls a device with a fresh key, checks it in and stores its reports; resolves with its id. */
export async function addDevice(store: SqliteFleetStore, spec: DeviceSpec = {}): Promise<string> {
  const key = await generateDeviceKey();
  const id = key.kid;
  const now = new Date(spec.now ?? T0);
  await store.enroll({ id, publicKey: key.x, state: spec.state ?? "accepted" }, { now });
  const apps = (spec.apps ?? [{ name: "acme/radio", commit: "68200ec" }]).map((a) => ({
    name: a.name,
    ref: a.ref ?? "main",
    commit: a.commit,
    serial: 1,
    sha256: null,
    releaseId: null,
  }));
  await store.recordCheckIn(id, {
    schema: 1,
    deviceType: "rpi4",
    osVersion: "Debian 12",
    droverVersion: "0.1.0",
    apps,
    labels: spec.labels ?? { site: "north" },
  }, { counter: 1, now });
  if (spec.reports?.length) {
    const batch = spec.reports.map((r) => ({
      ...r,
      id: `evt-${String(++events).padStart(8, "0")}`,
      at: now.toISOString(),
    }));
    await store.recordReports(id, batch, { counter: 2, now });
  }
  return id;
}

/** A signed-in operator: the `Cookie` header to send and the session's CSRF token. */
export interface Operator {
  cookie: string;
  csrf: string;
}

/** Signs in through the form at `origin` (the request URL's scheme decides the cookie's flags). */
export async function signIn(app: EdgeApp, origin = "http://edge.test"): Promise<Operator> {
  const res = await app.request(`${origin}/ui/login`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin },
    body: new URLSearchParams({ token: OPERATOR_TOKEN, next: "/ui/" }),
  });
  assert.equal(res.status, 303, await res.text());
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0]!;
  const page = await app.request(`${origin}/ui/`, { headers: { cookie } });
  assert.equal(page.status, 200);
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  assert.ok(csrf, "the overview carries a CSRF token");
  return { cookie, csrf };
}

/** A form POST as a same-origin browser sends it. */
export function formPost(
  fields: Record<string, string>,
  options: { cookie?: string; origin?: string; site?: string } = {},
): RequestInit {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (options.cookie) headers.cookie = options.cookie;
  if (options.origin) headers.origin = options.origin;
  if (options.site) headers["sec-fetch-site"] = options.site;
  return { method: "POST", headers, body: new URLSearchParams(fields).toString() };
}
