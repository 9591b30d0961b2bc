/**
 * The fleet dashboard in the Worker bundle (workerd through miniflare, D1 fleet database): the
 * same `createApp` as `deno task start`, so the same pages, session and CSRF checks, over HTTP.
 * @module
 */
import assert from "node:assert/strict";
import { FsStorage } from "../../edge/storage/fs_storage.ts";
import { startWorkerEdge } from "../edge/worker_harness.ts";
import { fixtureKeys, writeFixture } from "../edge/fixture.ts";
import { FleetTestDevice } from "../edge/fleet_device.ts";

const TOKEN = "worker-operator-token";
const FORM = "application/x-www-form-urlencoded";

Deno.test("dashboard in workerd with D1: sign in, overview, escaped device page, CSRF-checked accept", async () => {
  const dir = await Deno.makeTempDir({ prefix: "drover-ui-worker-" });
  try {
    const keys = await fixtureKeys();
    const repository = new FsStorage(`${dir}/repo`);
    await writeFixture(repository, keys);
    const edge = await startWorkerEdge(dir, {
      repository,
      d1Databases: ["FLEET"],
      bindings: { DROVER_OPERATOR_TOKEN: TOKEN },
    });
    try {
      const url = edge.url;
      const device = await FleetTestDevice.create();
      const labels = { site: "<script>alert(1)</script>" };
      assert.equal((await device.enroll(url, { labels })).status, 201);
      assert.equal(
        (await device.checkIn(url, { apps: [{ name: "acme/radio", commit: "68200ec" }], labels })).status,
        200,
      );

      const login = await fetch(`${url}/ui/login`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": FORM, origin: url },
        body: new URLSearchParams({ token: TOKEN, next: "/ui/" }),
      });
      assert.equal(login.status, 303);
      await login.text();
      assert.match(login.headers.get("set-cookie") ?? "", /^drover_ui=v1\..*; HttpOnly; SameSite=Strict$/);
      const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
      const page = async (path: string) => {
        const res = await fetch(url + path, { headers: { cookie }, redirect: "manual" });
        assert.match(res.headers.get("content-security-policy") ?? "", /^default-src 'none'/, path);
        return { status: res.status, html: await res.text() };
      };

      const overview = await page("/ui/");
      assert.equal(overview.status, 200);
      assert.match(overview.html, /<dt>Pending<\/dt><dd><a href="\/ui\/devices\?state=pending">1<\/a>/);
      const href = /<link rel="stylesheet" href="([^"]+)"/.exec(overview.html)![1]!;
      assert.equal((await page(href)).status, 200);
      const list = await page("/ui/devices?state=pending");
      assert.ok(list.html.includes(`href="/ui/devices/${device.id}"`));
      const detail = await page(`/ui/devices/${device.id}`);
      assert.ok(detail.html.includes("&lt;script&gt;alert(1)&lt;/script&gt;"));
      assert.ok(!detail.html.includes("<script"));
      const csrf = /name="csrf" value="([^"]+)"/.exec(detail.html)![1]!;
      assert.equal((await page("/ui/releases")).status, 200);
      const rollouts = await page("/ui/rollouts");
      assert.equal(rollouts.status, 200, "the rollouts the D1 store knows (none here)");
      assert.match(rollouts.html, /carries a signed staged rollout/);

      const accept = (fields: Record<string, string>, origin: string) =>
        fetch(`${url}/ui/devices/${device.id}/accept`, {
          method: "POST",
          redirect: "manual",
          headers: { "content-type": FORM, cookie, origin },
          body: new URLSearchParams(fields),
        });
      const operatorApi = () =>
        fetch(`${url}/v1/fleet/devices/${device.id}`, { headers: { authorization: `Bearer ${TOKEN}` } })
          .then((r) => r.json());
      const forged = await accept({ csrf: "A".repeat(43) }, url);
      assert.equal(forged.status, 403);
      await forged.text();
      const foreign = await accept({ csrf }, "https://evil.example");
      assert.equal(foreign.status, 403);
      await foreign.text();
      assert.equal((await operatorApi()).state, "pending");
      const ok = await accept({ csrf }, url);
      assert.equal(ok.status, 303);
      await ok.text();
      assert.equal((await operatorApi()).state, "accepted");
      assert.match((await page(`/ui/devices/${device.id}`)).html, /id="device-state">accepted</);
    } finally {
      await edge.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
