import assert from "node:assert/strict";
import { createApp, type EdgeConfig, type FleetSource } from "../../app.ts";
import { FsStorage } from "../../storage/fs_storage.ts";
import { SqliteFleetStore } from "../sqlite_fleet_store.ts";
import type { FleetStore } from "../fleet_store.ts";
import { fixtureKeys, writeFixture } from "../../../test/edge/fixture.ts";
import { expectError } from "../../../test/edge/suite_case.ts";
import { ENROLL_TOKEN, OPERATOR_TOKEN, runFleetSuite } from "../../../test/edge/fleet_suite.ts";
import {
  installed,
  inventoryOf,
  operator,
  reportEvent,
  TestDevice,
} from "../../../test/edge/fleet_suite_device.ts";

const DAY_MS = 24 * 3600_000;

/** An app over a fresh SQLite fleet in a temp dir; `using`-style cleanup. */
async function edge(
  config: EdgeConfig = {},
  options: { fleet?: FleetSource | null } = {},
) {
  const dir = await Deno.makeTempDir({ prefix: "fleet-routes-" });
  const storage = new FsStorage(`${dir}/repo`);
  await writeFixture(storage, await fixtureKeys());
  const store = options.fleet === undefined ? await SqliteFleetStore.open(`${dir}/fleet.sqlite`) : undefined;
  const logged: string[] = [];
  const app = createApp({
    storage,
    ...(store ? { fleet: store } : options.fleet ? { fleet: options.fleet } : {}),
    config: {
      operatorToken: OPERATOR_TOKEN,
      enrollToken: ENROLL_TOKEN,
      log: (line) => logged.push(line),
      ...config,
    },
  });
  const fetch = async (path: string, init?: RequestInit) => await app.request(path, init);
  return {
    app,
    fetch,
    logged,
    dir,
    async [Symbol.asyncDispose]() {
      await store?.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("fleet suite in process: app.request() over SQLite", async (t) => {
  await using e = await edge();
  await runFleetSuite(t, { fetch: e.fetch });
  assert.deepEqual(e.logged, [], "no request of the suite was an internal error");
});

Deno.test("a flood from one device gets 429 with Retry-After and stores nothing; other devices go on", async () => {
  let now = Date.parse("2026-05-01T00:00:00Z");
  await using e = await edge({ deviceBurst: 4, deviceRatePerMinute: 30, clock: () => now });
  const flood = await TestDevice.create(e.fetch), calm = await TestDevice.create(e.fetch);
  assert.equal((await flood.enroll({ token: ENROLL_TOKEN })).status, 201); // 1 of the burst of 4
  assert.equal((await calm.enroll({ token: ENROLL_TOKEN })).status, 201);
  for (let i = 0; i < 3; i++) assert.equal((await flood.report([reportEvent("a/b", "1234567")])).status, 200);
  const before = await operator(e.fetch).json(`/v1/fleet/devices/${flood.id}?reports=100`);
  const refused = await flood.report([reportEvent("a/b", "1234567")]);
  assert.equal(refused.headers.get("retry-after"), "2", "one request per 2 s");
  await expectError(refused, 429, { code: "E_RATE_LIMITED" });
  await expectError(await flood.checkin(inventoryOf([])), 429, { code: "E_RATE_LIMITED" });
  // Requests signed by another key to the flooder's path do not drain its bucket (nor are stored).
  assert.deepEqual(await operator(e.fetch).json(`/v1/fleet/devices/${flood.id}?reports=100`), before);
  assert.equal((await calm.checkin(inventoryOf([]))).status, 200, "another device is not limited");
  now += 2000;
  const res = await flood.report([reportEvent("a/b", "1234567")], { counter: flood.counter - 1 });
  assert.equal(res.status, 200, "the refused request's counter was never used");
  await res.body?.cancel();
});

Deno.test("requests signed by others to a device's path do not spend its rate limit, but the signer's", async () => {
  const now = Date.parse("2026-05-01T00:00:00Z");
  await using e = await edge({ deviceBurst: 2, deviceRatePerMinute: 0, clock: () => now });
  const victim = await TestDevice.create(e.fetch), forger = await TestDevice.create(e.fetch);
  assert.equal((await victim.enroll({ token: ENROLL_TOKEN })).status, 201);
  for (let i = 0; i < 5; i++) {
    const forged = await victim.send("POST", `/v1/devices/${victim.id}/checkin`, {
      body: JSON.stringify(inventoryOf([])),
      signer: forger.identity,
    });
    await expectError(forged, 401, { code: "E_SIGNATURE" }); // the forger is not enrolled
  }
  assert.equal((await forger.enroll({ token: ENROLL_TOKEN })).status, 201);
  const asVictim = () =>
    victim.send("POST", `/v1/devices/${victim.id}/checkin`, {
      body: JSON.stringify(inventoryOf([])),
      signer: forger.identity,
    });
  await expectError(await asVictim(), 403, { code: "E_FORBIDDEN" });
  await expectError(await asVictim(), 429, { code: "E_RATE_LIMITED" }); // the forger's own burst of 2
  assert.equal((await victim.checkin(inventoryOf([]))).status, 200, "the second of its burst of 2");
});

Deno.test("new devices without a token are refused (429) while maxPendingDevices wait; tokens still enroll", async () => {
  await using e = await edge({ maxPendingDevices: 2 });
  const first = await TestDevice.create(e.fetch), second = await TestDevice.create(e.fetch);
  assert.equal((await first.enroll()).status, 201);
  assert.equal((await second.enroll()).status, 201);
  const third = await TestDevice.create(e.fetch);
  const refused = await third.enroll();
  assert.equal(refused.headers.get("retry-after"), "3600");
  await expectError(refused, 429, { code: "E_RATE_LIMITED" });
  assert.equal((await first.enroll()).status, 200, "a pending device enrolling again is not new");
  assert.equal((await third.enroll({ token: ENROLL_TOKEN })).status, 201);
  const summary = await operator(e.fetch).json("/v1/fleet/summary");
  assert.deepEqual(summary.devices, { total: 3, accepted: 1, pending: 2, rejected: 0 });
});

Deno.test("without a fleet every fleet route is 404 E_NO_FLEET and the rest of the edge works", async () => {
  await using e = await edge({}, { fleet: null });
  const d = await TestDevice.create(e.fetch);
  await expectError(await d.enroll(), 404, { code: "E_NO_FLEET" });
  await expectError(await d.checkin(inventoryOf([])), 404, { code: "E_NO_FLEET" });
  await expectError(await d.report([]), 404, { code: "E_NO_FLEET" });
  for (const path of ["/v1/fleet/devices", "/v1/fleet/summary", `/v1/fleet/devices/${d.id}`]) {
    await expectError(await e.fetch(path), 404, { code: "E_NO_FLEET" });
    await expectError(await operator(e.fetch).get(path), 404, { code: "E_NO_FLEET" });
  }
  await expectError(await operator(e.fetch).post("/v1/fleet/enroll-tokens"), 404, { code: "E_NO_FLEET" });
  assert.equal((await (await e.fetch("/releases")).json())["radiodan/magic-button"].master.commit.length, 40);
  assert.equal(await e.app.pruneReports(), 0);
});

Deno.test("a fleet opened on first use: a failed open is a 503 and the next request opens it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fleet-lazy-" });
  let opened: FleetStore | undefined, attempts = 0;
  const open = async () => {
    if (++attempts === 1) throw new Error("D1 is down");
    return opened = await SqliteFleetStore.open(`${dir}/fleet.sqlite`);
  };
  try {
    await using e = await edge({}, { fleet: open });
    await expectError(await operator(e.fetch).get("/v1/fleet/summary"), 503, { code: "E_UNAVAILABLE" });
    assert.equal((await operator(e.fetch).get("/v1/fleet/summary")).status, 200);
    await Promise.all([
      operator(e.fetch).get("/v1/fleet/summary"),
      operator(e.fetch).get("/v1/fleet/devices"),
    ]);
    assert.equal(attempts, 2, "opened once");
  } finally {
    await opened?.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("pruneReports deletes reports older than reportRetentionDays; counters stay", async () => {
  let now = Date.parse("2026-05-01T00:00:00Z");
  await using e = await edge({ reportRetentionDays: 30, clock: () => now });
  const d = await TestDevice.create(e.fetch);
  assert.equal((await d.enroll({ token: ENROLL_TOKEN })).status, 201);
  assert.equal((await d.checkin(inventoryOf([installed("a/b", "1234567")]))).status, 200);
  assert.equal((await d.report([reportEvent("a/b", "1234567"), reportEvent("a/b", "1234567")])).status, 200);
  now += 20 * DAY_MS;
  assert.equal((await d.report([reportEvent("a/b", "1234567")])).status, 200);
  assert.equal(await e.app.pruneReports(), 0);
  now += 11 * DAY_MS;
  assert.equal(await e.app.pruneReports(), 2, "the first two are 31 days old");
  const detail = await operator(e.fetch).json(`/v1/fleet/devices/${d.id}`);
  assert.equal((detail.reports as unknown[]).length, 1);
  assert.equal((detail.releases as { events: number }[])[0]?.events, 3);
});

Deno.test("the operator API is refused (403) when neither DROVER_OPERATOR_TOKEN nor DROVER_TOKEN is set", async () => {
  await using e = await edge({ operatorToken: undefined });
  await expectError(await operator(e.fetch).get("/v1/fleet/summary"), 403, { code: "E_FORBIDDEN" });
  await using fallback = await edge({ operatorToken: undefined, token: "publish-token-123" });
  const res = await operator(fallback.fetch, "publish-token-123").get("/v1/fleet/summary");
  assert.equal(res.status, 200, "DROVER_TOKEN is the operator token when no other is set");
  await res.body?.cancel();
});
