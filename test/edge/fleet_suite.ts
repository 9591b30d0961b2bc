/**
 * The fleet API's HTTP suite, written once against a fetch-like and run three ways: in process
 * over SQLite (`edge/fleet/routes/fleet_routes_test.ts`), against `edge/deno.ts` over real HTTP,
 * and against the Worker bundle in workerd with D1. The target is configured with
 * {@linkcode OPERATOR_TOKEN} and {@linkcode ENROLL_TOKEN}. Cases share one database, so each makes
 * its own devices (and filters by a label of its own). Operator cases: `fleet_suite_operator.ts`.
 * @module
 */
import assert from "node:assert/strict";
import { expectError, type FetchLike } from "./suite_case.ts";
import {
  ENROLL_TOKEN,
  installed,
  inventoryOf,
  operator,
  OPERATOR_TOKEN,
  reportEvent,
  TestDevice,
} from "./fleet_suite_device.ts";
import { OPERATOR_CASES } from "./fleet_suite_operator.ts";
import { type FleetCase, type FleetTarget, snapshot } from "./fleet_suite_case.ts";

export { ENROLL_TOKEN, OPERATOR_TOKEN };
export type { FleetCase, FleetTarget };

async function accepted(fetch: FetchLike, labels?: Record<string, string>): Promise<TestDevice> {
  const device = await TestDevice.create(fetch);
  const res = await device.enroll({ token: ENROLL_TOKEN, ...(labels ? { labels } : {}) });
  assert.equal(res.status, 201, await res.clone().text());
  assert.equal((await res.json()).state, "accepted");
  return device;
}

const DEVICE_CASES: FleetCase[] = [{
  name: "enroll: pending without a token (201), the same key again is idempotent (200), a token accepts",
  async run(t) {
    const d = await TestDevice.create(t.fetch);
    const first = await d.enroll({ labels: { site: "north" } });
    assert.equal(first.status, 201);
    assert.match(first.headers.get("content-type") ?? "", /application\/json/);
    assert.equal(first.headers.get("cache-control"), "no-store");
    const device = await first.json();
    assert.deepEqual(Object.keys(device).sort(), [
      "apps",
      "deviceType",
      "id",
      "labels",
      "lastInstall",
      "lastSeen",
      "state",
    ]);
    assert.deepEqual({ ...device, lastSeen: undefined }, {
      id: d.id,
      state: "pending",
      deviceType: null,
      labels: { site: "north" },
      lastSeen: undefined,
      apps: [],
      lastInstall: null,
    });
    assert.ok(!Number.isNaN(Date.parse(device.lastSeen)));
    const again = await d.enroll();
    assert.equal(again.status, 200);
    assert.deepEqual((await again.json()).labels, { site: "north" }, "labels kept when not sent");
    const withToken = await d.enroll({ token: ENROLL_TOKEN });
    assert.equal(withToken.status, 200);
    assert.equal((await withToken.json()).state, "accepted");
    const fresh = await TestDevice.create(t.fetch);
    const res = await fresh.enroll({ token: ENROLL_TOKEN });
    assert.equal(res.status, 201);
    assert.equal((await res.json()).state, "accepted");
  },
}, {
  name: "enroll tokens minted by the operator accept until used up; a wrong or used-up token is a 403",
  async run(t) {
    const op = operator(t.fetch);
    const minted = await op.post("/v1/fleet/enroll-tokens", { uses: 1, ttlMs: 3600_000 });
    assert.equal(minted.status, 201);
    const { token, expiresAt, uses } = await minted.json();
    assert.match(token, /^drover-enroll-[A-Za-z0-9_-]{43}$/);
    assert.equal(uses, 1);
    assert.ok(Math.abs(Date.parse(expiresAt) - Date.now() - 3600_000) < 120_000);
    const one = await TestDevice.create(t.fetch);
    const res = await one.enroll({ token });
    assert.equal(res.status, 201);
    assert.equal((await res.json()).state, "accepted");
    const before = await snapshot(t);
    const two = await TestDevice.create(t.fetch);
    await expectError(await two.enroll({ token }), 403, { code: "E_FORBIDDEN" });
    await expectError(await two.enroll({ token: "not-a-token-at-all" }), 403, { code: "E_FORBIDDEN" });
    await expectError(await two.enroll({ headers: { authorization: "Basic eDp5" } }), 401, {
      code: "E_UNAUTHORIZED",
    });
    await expectError(await op.get(`/v1/fleet/devices/${two.id}`), 404, { code: "E_NOT_FOUND" });
    assert.deepEqual(await snapshot(t), before, "nothing stored");
    const unlimited = await (await op.post("/v1/fleet/enroll-tokens")).json();
    assert.equal(unlimited.uses, null, "default: any number of uses until it expires");
    for (let i = 0; i < 2; i++) {
      assert.equal((await (await TestDevice.create(t.fetch)).enroll({ token: unlimited.token })).status, 201);
    }
    await expectError(await op.post("/v1/fleet/enroll-tokens", { uses: 0 }), 400);
    await expectError(await op.post("/v1/fleet/enroll-tokens", { ttlMs: 1 }), 400);
    await expectError(await op.post("/v1/fleet/enroll-tokens", { forever: true }), 400);
    await expectError(await t.fetch("/v1/fleet/enroll-tokens", { method: "POST" }), 401);
  },
}, {
  name:
    "enroll refuses and stores nothing: not JSON, unknown field, oversize, unsigned, another's key, tampered",
  async run(t) {
    const d = await TestDevice.create(t.fetch);
    const other = await TestDevice.create(t.fetch);
    const before = await snapshot(t);
    const enrollment = (extra: Record<string, unknown> = {}) =>
      JSON.stringify({ publicKey: d.identity.publicKey, ...extra });
    const post = (options: Parameters<TestDevice["send"]>[2]) => d.send("POST", "/v1/devices", options);
    await expectError(await post({ body: "{not json" }), 400, { code: "E_BAD_REQUEST" });
    await expectError(await post({ body: enrollment({ admin: true }) }), 400);
    await expectError(await post({ body: enrollment({ schema: 2 }) }), 400);
    await expectError(await post({ body: enrollment({ id: other.id }) }), 400);
    await expectError(await post({ body: enrollment({ labels: { "bad key": "x" } }) }), 400);
    await expectError(await post({ body: enrollment({ labels: { pad: "x".repeat(17 * 1024) } }) }), 413, {
      code: "E_TOO_LARGE",
    });
    await expectError(await post({ body: enrollment(), unsigned: true }), 401, { code: "E_SIGNATURE" });
    // signed by `d`, presenting `other`'s key: the key is not the signer's
    await expectError(await post({ body: JSON.stringify({ publicKey: other.identity.publicKey }) }), 401, {
      code: "E_SIGNATURE",
    });
    await expectError(
      await post({ body: enrollment(), sendBody: enrollment({ labels: { evil: "1" } }) }),
      401,
      { code: "E_SIGNATURE" },
    );
    await expectError(await operator(t.fetch).get(`/v1/fleet/devices/${d.id}`), 404);
    assert.deepEqual(await snapshot(t), before, "nothing stored");
  },
}, {
  name:
    "check-in answers { state, rollouts: {} } and stores the inventory; reports are idempotent by event id",
  async run(t) {
    const d = await accepted(t.fetch);
    const res = await d.checkin(
      inventoryOf([installed("acme/radio", "1111111", { serial: 4 })], { site: "s" }),
    );
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { state: "accepted", rollouts: {} });
    const events = [
      reportEvent("acme/radio", "1111111", { stage: "download", bytes: 1024 }),
      reportEvent("acme/radio", "1111111", { stage: "health", result: "error", errorCode: "E_HEALTH" }),
    ];
    const sent = await d.report(events);
    assert.equal(sent.status, 200);
    assert.deepEqual(await sent.json(), { accepted: 2, duplicates: 0 });
    const again = await d.report([...events, reportEvent("acme/radio", "1111111")]);
    assert.deepEqual(await again.json(), { accepted: 1, duplicates: 2 }, "a resent batch counts once");
    const detail = await operator(t.fetch).json(`/v1/fleet/devices/${d.id}`);
    assert.equal(detail.deviceType, "raspberrypi4-64");
    assert.deepEqual(detail.labels, { site: "s" });
    assert.deepEqual((detail.apps as { serial: number }[]).map((a) => a.serial), [4]);
    assert.equal((detail.reports as unknown[]).length, 3);
    assert.deepEqual((detail.lastInstall as { result: string }).result, "ok");
    assert.equal((detail.releases as { events: number }[])[0]?.events, 3);
  },
}, {
  name:
    "refused device requests store nothing: bad JSON, future schema, oversize, unsigned, tampered, replayed",
  async run(t) {
    const a = await accepted(t.fetch), b = await accepted(t.fetch);
    const inventory = inventoryOf([installed("acme/radio", "1111111")]);
    assert.equal((await a.checkin(inventory)).status, 200);
    const lastAccepted = a.counter;
    const before = await snapshot(t, [a, b]);
    const checkin = (options: Parameters<TestDevice["send"]>[2]) =>
      a.send("POST", `/v1/devices/${a.id}/checkin`, options);
    const json = (value: unknown) => JSON.stringify(value);
    await expectError(await checkin({ body: "{" }), 400, { code: "E_BAD_REQUEST" });
    await expectError(await checkin({ body: new Uint8Array([0x7b, 0xff, 0x7d]) }), 400);
    await expectError(await checkin({ body: json({ ...inventory, schema: 2 }) }), 400);
    await expectError(await checkin({ body: json({ ...inventory, extra: 1 }) }), 400);
    await expectError(await checkin({ body: json({ ...inventory, osVersion: "x".repeat(70_000) }) }), 413, {
      code: "E_TOO_LARGE",
    });
    const chunks = [
      new TextEncoder().encode(" ".repeat(40_000)),
      new TextEncoder().encode(" ".repeat(40_000)),
    ];
    // refused before it is all sent: a 413, or (workerd) the connection reset under the still-sending client
    const streamed = await checkin({ body: "{}", sendBody: ReadableStream.from(chunks) }).catch((e) => e);
    if (streamed instanceof Response) await expectError(streamed, 413, { code: "E_TOO_LARGE" });
    else assert.match(String(streamed?.cause ?? streamed), /reset|broken pipe|closed/i);
    await expectError(await a.report([], { body: " ".repeat(300_000) }), 413);
    await expectError(await a.report([], { body: json({ schema: 1, events: [{ id: "x" }] }) }), 400);
    await expectError(await a.report([], { body: json({ schema: 9, events: [] }) }), 400);
    await expectError(await checkin({ body: json(inventory), unsigned: true }), 401, { code: "E_SIGNATURE" });
    await expectError(
      await checkin({ body: json(inventory), sendBody: json({ ...inventory, labels: { x: "1" } }) }),
      401,
      {
        code: "E_SIGNATURE",
      },
    );
    await expectError(await checkin({ body: json(inventory), counter: lastAccepted }), 409, {
      code: "E_REPLAY",
    });
    await expectError(await checkin({ body: json(inventory), counter: 1 }), 409, { code: "E_REPLAY" });
    // b signs a request to a's path: authenticated, not allowed
    await expectError(await checkin({ body: json(inventory), signer: b.identity }), 403, {
      code: "E_FORBIDDEN",
    });
    await expectError(await b.report([reportEvent("acme/radio", "1111111")], { signer: a.identity }), 403);
    const stranger = await TestDevice.create(t.fetch);
    await expectError(await stranger.checkin(inventory), 401, { code: "E_SIGNATURE" });
    await expectError(await a.send("POST", "/v1/devices/d_nope/checkin", { body: json(inventory) }), 400);
    assert.deepEqual(await snapshot(t, [a, b]), before, "nothing stored");
    const replayed = await checkin({ body: json(inventory) });
    assert.equal(replayed.status, 200, "the device goes on with its next counter");
    await replayed.body?.cancel();
  },
}, {
  name: "pending devices check in and report; rejected devices get 403 everywhere; accepting lets them back",
  async run(t) {
    const op = operator(t.fetch);
    const p = await TestDevice.create(t.fetch);
    assert.equal((await p.enroll()).status, 201);
    assert.equal((await p.checkin(inventoryOf([installed("acme/pending", "2222222")]))).status, 200);
    assert.equal((await p.report([reportEvent("acme/pending", "2222222")])).status, 200);
    const pending = await op.json(`/v1/fleet/devices/${p.id}`);
    assert.equal(pending.state, "pending");
    assert.equal((pending.apps as unknown[]).length, 1);
    const rejected = await op.post(`/v1/fleet/devices/${p.id}/reject`);
    assert.equal(rejected.status, 200);
    assert.equal((await rejected.json()).state, "rejected");
    const before = await snapshot(t, [p]);
    await expectError(await p.checkin(inventoryOf([])), 403, { code: "E_FORBIDDEN" });
    await expectError(await p.report([reportEvent("acme/pending", "2222222")]), 403, { code: "E_FORBIDDEN" });
    await expectError(await p.enroll({ token: ENROLL_TOKEN }), 403, { code: "E_FORBIDDEN" });
    assert.deepEqual(await snapshot(t, [p]), before, "nothing stored");
    assert.equal((await (await op.post(`/v1/fleet/devices/${p.id}/accept`)).json()).state, "accepted");
    const back = await p.checkin(inventoryOf([]));
    assert.equal(back.status, 200);
    await back.body?.cancel();
  },
}, {
  name:
    "device-supplied strings are data: <script> in labels, versions and messages come back verbatim as JSON",
  async run(t) {
    const script = "<script>alert(1)</script>";
    const d = await accepted(t.fetch, { note: script });
    const inventory = {
      ...inventoryOf([installed("acme/radio", "1111111")], { note: script }),
      osVersion: script,
    };
    assert.equal((await d.checkin(inventory)).status, 200);
    const message = `</script><img src=x onerror="alert(2)">\n'quoted' & "double"`;
    const event = reportEvent("acme/radio", "1111111", { result: "error", errorCode: "E_X", message });
    assert.equal((await d.report([event])).status, 200);
    const res = await operator(t.fetch).get(`/v1/fleet/devices/${d.id}`);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    const detail = await res.json();
    assert.deepEqual(detail.labels, { note: script });
    assert.equal(detail.osVersion, script);
    assert.equal(detail.reports[0].message, message);
    const list = await operator(t.fetch).json(
      `/v1/fleet/devices?label=${encodeURIComponent(`note=${script}`)}`,
    );
    assert.ok(list.items!.some((x) => x.id === d.id));
  },
}];

/** Registers every case as a step of `t`. */
export async function runFleetSuite(t: Deno.TestContext, target: FleetTarget): Promise<void> {
  for (const c of [...DEVICE_CASES, ...OPERATOR_CASES]) {
    await t.step(c.name, () => c.run(target));
  }
}
