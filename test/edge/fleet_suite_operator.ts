/**
 * Operator cases of the fleet API suite (`fleet_suite.ts`): the bearer token, list filters and
 * cursor pages, one device, accept/reject, the summary, and bad queries.
 * @module
 */
import assert from "node:assert/strict";
import { expectError } from "./suite_case.ts";
import {
  ENROLL_TOKEN,
  installed,
  inventoryOf,
  operator,
  reportEvent,
  TestDevice,
} from "./fleet_suite_device.ts";
import type { FleetCase } from "./fleet_suite_case.ts";

/** Two commits sharing their first 7 digits. */
const A_COMMIT = "0123456789ab" + "a".repeat(28), B_COMMIT = "0123456" + "b".repeat(33);

/** The cases. */
export const OPERATOR_CASES: FleetCase[] = [{
  name: "operator API: filters by app, commit, state, labels and last seen; cursor pages in id order",
  async run(t) {
    const op = operator(t.fetch);
    const tag = crypto.randomUUID().slice(0, 8);
    const app = `acme/radio-${tag}`;
    const devices: TestDevice[] = [];
    for (let i = 0; i < 5; i++) {
      const d = await TestDevice.create(t.fetch);
      const labels = { suite: tag, ring: i < 2 ? "canary" : "stable" };
      const res = await d.enroll({ labels, ...(i === 4 ? {} : { token: ENROLL_TOKEN }) });
      assert.equal(res.status, 201);
      const commit = i % 2 === 0 ? A_COMMIT : B_COMMIT;
      assert.equal((await d.checkin(inventoryOf([installed(app, commit)], labels))).status, 200);
      devices.push(d);
    }
    const ids = devices.map((d) => d.id).sort();
    const list = async (query: string) => {
      const page = await op.json(`/v1/fleet/devices?${query}`);
      return { ids: page.items!.map((x) => x.id as string), next: page.next as string | null };
    };
    assert.deepEqual(await list(`label=suite=${tag}`), { ids, next: null });
    const canary = devices.slice(0, 2).map((d) => d.id).sort();
    assert.deepEqual((await list(`label=suite=${tag}&label=ring=canary`)).ids, canary);
    const onA = devices.filter((_, i) => i % 2 === 0).map((d) => d.id).sort();
    assert.deepEqual((await list(`app=${app}&commit=${A_COMMIT}`)).ids, onA);
    // as tables print commits (12 digits), or git's shortest (7): the commits starting with them
    assert.deepEqual((await list(`app=${app}&commit=${A_COMMIT.slice(0, 12)}`)).ids, onA);
    assert.deepEqual((await list(`label=suite=${tag}&commit=0123456`)).ids, ids);
    assert.deepEqual((await list(`app=${app}`)).ids, ids);
    assert.deepEqual((await list(`label=suite=${tag}&state=pending`)).ids, [devices[4]!.id]);
    assert.deepEqual((await list(`label=suite=${tag}&seenSince=2999-01-01T00:00:00Z`)).ids, []);
    assert.deepEqual((await list(`label=suite=${tag}&seenSince=2000-01-01T00:00:00Z`)).ids, ids);
    const pages: string[][] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const page: { ids: string[]; next: string | null } = await list(
        `label=suite=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      pages.push(page.ids);
      cursor = page.next;
    }
    assert.deepEqual(pages.map((p) => p.length), [2, 2, 1]);
    assert.deepEqual(pages.flat(), ids);
    const summary = await op.json("/v1/fleet/summary");
    const entry = (summary.apps as { name: string; devices: number; commits: unknown[] }[])
      .find((a) => a.name === app);
    assert.deepEqual(entry, {
      name: app,
      ref: "main",
      devices: 5,
      commits: [{ commit: A_COMMIT, devices: 3 }, { commit: B_COMMIT, devices: 2 }],
    });
    assert.ok((summary.devices as { total: number }).total >= 5);
    assert.deepEqual(Object.keys(summary).sort(), ["apps", "at", "devices", "lastInstall", "seen"]);
  },
}, {
  name: "operator API: one device with reports; accept and reject; 404 for unknown devices",
  async run(t) {
    const op = operator(t.fetch);
    const d = await TestDevice.create(t.fetch);
    assert.equal((await d.enroll()).status, 201);
    const events = Array.from({ length: 5 }, () => reportEvent("acme/one", "1234567"));
    assert.equal((await d.report(events)).status, 200);
    const detail = await op.json(`/v1/fleet/devices/${d.id}?reports=2`);
    assert.deepEqual((detail.reports as { id: string }[]).map((r) => r.id), [events[4]!.id, events[3]!.id]);
    assert.equal(detail.publicKey, d.identity.publicKey);
    assert.equal((await (await op.post(`/v1/fleet/devices/${d.id}/accept`)).json()).state, "accepted");
    assert.equal((await op.json(`/v1/fleet/devices/${d.id}`)).state, "accepted");
    const unknown = "d_" + "0".repeat(32);
    await expectError(await op.get(`/v1/fleet/devices/${unknown}`), 404, { code: "E_NOT_FOUND" });
    await expectError(await op.post(`/v1/fleet/devices/${unknown}/accept`), 404, { code: "E_NOT_FOUND" });
    await expectError(await op.post(`/v1/fleet/devices/${unknown}/reject`), 404, { code: "E_NOT_FOUND" });
    await expectError(await op.get("/v1/fleet/devices/not-an-id"), 400, { code: "E_BAD_REQUEST" });
    await expectError(await op.get(`/v1/fleet/devices/${d.id}?reports=101`), 400);
    await expectError(await op.get(`/v1/fleet/devices/${d.id}/accept`), 405, { code: "E_METHOD" });
  },
}, {
  name: "operator API: the bearer token is required; bad queries are 400, never a wider list",
  async run(t) {
    for (const path of ["/v1/fleet/devices", "/v1/fleet/summary", `/v1/fleet/devices/d_${"1".repeat(32)}`]) {
      await expectError(await t.fetch(path), 401, { code: "E_UNAUTHORIZED" });
      await expectError(await operator(t.fetch, "wrong-token-000").get(path), 403, { code: "E_FORBIDDEN" });
    }
    await expectError(await t.fetch(`/v1/fleet/devices/d_${"1".repeat(32)}/accept`, { method: "POST" }), 401);
    const op = operator(t.fetch);
    for (
      const query of [
        "state=bogus",
        "limit=0",
        "limit=501",
        "limit=1.5",
        "bogus=1",
        "cursor=../x",
        "label=novalue",
        "label=a=1&label=a=2",
        "app=a&app=b",
        "commit=XYZ",
        "commit=0123ab",
        "commit=0123456789ABCDEF",
        "commit=0123456%25",
        "seenSince=yesterday",
      ]
    ) {
      await expectError(await op.get(`/v1/fleet/devices?${query}`), 400, { code: "E_BAD_REQUEST" });
    }
    await expectError(await op.get("/v1/fleet/summary?staleAfterMs=-1"), 400);
    await expectError(await op.get("/v1/fleet/summary?x=1"), 400);
    const stale = await op.json("/v1/fleet/summary?staleAfterMs=0");
    assert.equal((stale.seen as { recent: number }).recent, 0);
  },
}];
