import assert from "node:assert/strict";
import { createRollout } from "../../core/rollout/mod.ts";
import { createApp } from "../app.ts";
import { createDevRepository } from "../dev_repository.ts";
import { FsStorage } from "../storage/fs_storage.ts";
import { SqliteFleetStore } from "../fleet/sqlite_fleet_store.ts";
import { addDevice, formPost, OPERATOR_TOKEN, signIn, T0 } from "./_ui_fixture.ts";

const BASE = "http://edge.test";
const XSS = "<script>alert(1)</script>";
const RADIO = "acme/radio", CAMERA = "acme/camera";
const C1 = "1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const C2 = "2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const C3 = "3333333ccccccccccccccccccccccccccccccccc";
/** Halted by its devices' failures. */
const HALTED = `acme:radio:main:2:${C2}`;
/** Running; newer (a higher serial), so it would come first without the halted-first order. */
const RUNNING = `acme:camera:main:3:${C3}`;

/** An edge whose repository publishes two releases with a staged rollout, and a signed-in operator. */
async function rolloutEdge() {
  const dir = await Deno.makeTempDir({ prefix: "drover-ui-rollouts-" });
  const storage = new FsStorage(dir);
  const rollout = (id: string) =>
    createRollout({
      id,
      publishedAt: new Date(T0),
      steps: "20,100@1h",
      halt: { minDevices: 3, maxFailurePercent: 50 },
    });
  await createDevRepository(storage, {
    now: new Date(T0),
    content: {
      deviceTypes: [{ slug: "raspberrypi4-64", aliases: [] }],
      apps: [
        { name: RADIO, ref: "main", commit: C1, files: { a: "1" } },
        { name: RADIO, ref: "main", commit: C2, files: { a: "2" }, rollout: rollout(HALTED) },
        { name: CAMERA, ref: "main", commit: C3, files: { a: "3" }, rollout: rollout(RUNNING) },
      ],
      images: [],
    },
  });
  const store = await SqliteFleetStore.open(":memory:");
  const clock = { now: T0 + 10 * 60_000 };
  const app = createApp({
    storage,
    fleet: store,
    config: { operatorToken: OPERATOR_TOKEN, clock: () => clock.now, log: () => {} },
  });
  const op = await signIn(app);
  assert.equal(await app.checkRollouts(), 0, "registered, nothing to halt yet");
  // three devices fail the health check (saying markup) and roll back, one succeeds, one is downloading
  for (let i = 0; i < 3; i++) {
    await addDevice(store, {
      apps: [{ name: RADIO, commit: C1 }],
      now: clock.now,
      reports: [
        { app: RADIO, commit: C2, stage: "health", result: "error", errorCode: "E_HEALTH", message: XSS },
        { app: RADIO, commit: C2, stage: "rollback", result: "rolled_back" },
      ],
    });
  }
  await addDevice(store, {
    apps: [{ name: RADIO, commit: C2 }],
    now: clock.now,
    reports: [{ app: RADIO, commit: C2, stage: "install", result: "ok" }],
  });
  await addDevice(store, {
    apps: [{ name: RADIO, commit: C1 }],
    now: clock.now,
    reports: [{ app: RADIO, commit: C2, stage: "download", result: "ok" }],
  });
  await addDevice(store, {
    apps: [{ name: CAMERA, commit: C1 }],
    now: clock.now,
    reports: [{ app: CAMERA, commit: C3, stage: "install", result: "ok" }],
  });
  assert.equal(await app.checkRollouts(), 1, "the radio rollout is halted");
  const page = async (path: string) => {
    const res = await app.request(`${BASE}${path}`, { headers: { cookie: op.cookie } });
    return { res, html: await res.text() };
  };
  const api = async (id: string) => {
    const res = await app.request(`${BASE}/v1/fleet/rollouts/${id}`, {
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}` },
    });
    assert.equal(res.status, 200);
    return await res.json();
  };
  return {
    app,
    op,
    page,
    api,
    async [Symbol.asyncDispose]() {
      await store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

const href = (id: string) => `/ui/rollouts/${encodeURIComponent(id)}`;

Deno.test("dashboard rollouts: the overview shows halted rollouts first with their reason, steps and counts", async () => {
  await using e = await rolloutEdge();
  const { res, html } = await e.page("/ui/");
  assert.equal(res.status, 200);
  const halted = html.indexOf(`data-rollout="${HALTED}"`),
    running = html.indexOf(`data-rollout="${RUNNING}"`);
  assert.ok(halted > 0 && running > halted, "halted first");
  assert.match(
    html,
    /halt: 3 of 4 finished devices failed, rolled back or went silent \(75%\)[^<]*E_HEALTH 3/,
  );
  assert.match(html, /<meta http-equiv="refresh" content="10"/, "a running rollout: the page reloads");
  // the halted one: 20% due, held back at 0%; the running one: 20% reached
  const region = html.slice(halted, running);
  assert.match(region, /class="st-held w20"/);
  assert.match(
    region,
    /Signed percent now <strong>20%<\/strong> · effective <strong class="held">0%<\/strong>/,
  );
  assert.match(region, /Rolled back <strong>3<\/strong>/);
  assert.match(region, /next step 100% at <time datetime="2026-03-01T13:00:00.000Z">/);
  assert.match(html.slice(running), /class="st-reached w20"/);
  assert.match(html, /<a href="\/ui\/rollouts"[^>]*>Rollouts<\/a>/, "in the navigation");
  assert.doesNotMatch(html, /<script|style=/);
  const list = await e.page("/ui/rollouts");
  assert.equal(list.res.status, 200);
  assert.ok(list.html.indexOf(HALTED) < list.html.indexOf(RUNNING), "the list too");
  assert.match(list.html, /<meta http-equiv="refresh" content="10"/);
});

Deno.test("dashboard rollouts: a rollout's page shows its counts and its failures grouped, device strings escaped", async () => {
  await using e = await rolloutEdge();
  const { res, html } = await e.page(href(HALTED));
  assert.equal(res.status, 200);
  assert.match(html, /id="rollout-state">halted</);
  assert.doesNotMatch(html, /http-equiv="refresh"/, "not running: no reload");
  const counts = html.slice(html.indexOf('id="rollout-counts"'));
  for (
    const [key, n] of [["inProgress", 1], ["succeeded", 1], ["rolledBack", 3], ["failed", 0], ["timedOut", 0]]
  ) {
    assert.match(counts, new RegExp(`data-outcome="${key}">.*?<td class="num">${n}</td>`), String(key));
  }
  const failures = html.slice(html.indexOf('id="rollout-failures"'));
  assert.match(
    failures,
    /rolled back<\/span><\/td><td>health<\/td><td class="mono">E_HEALTH<\/td><td class="num">3<\/td>/,
  );
  assert.equal(
    [...failures.matchAll(/<a class="mono" href="\/ui\/devices\/d_/g)].length,
    3,
    "three examples",
  );
  assert.ok(failures.includes("&lt;script&gt;alert(1)&lt;/script&gt;"), "the message as text");
  assert.doesNotMatch(html, /<script/);
  // a halted rollout can be resumed or ended, not paused
  assert.match(html, /action="\/ui\/rollouts\/[^"]+\/resume"/);
  assert.doesNotMatch(html, /\/pause"/);
  assert.equal((await e.page("/ui/rollouts/acme:nope:main:1:0000000")).res.status, 404);
  assert.equal((await e.page("/ui/rollouts/not%20an%20id")).res.status, 404);
});

Deno.test("dashboard rollouts: Pause with the CSRF token pauses; without it 403 and unchanged; a refused state is a message", async () => {
  await using e = await rolloutEdge();
  const post = (id: string, action: string, fields: Record<string, string>) =>
    e.app.request(`${BASE}${href(id)}/${action}`, formPost(fields, { cookie: e.op.cookie, origin: BASE }));
  let res = await post(RUNNING, "pause", {});
  assert.equal(res.status, 403);
  assert.match(await res.text(), /Cannot pause rollout: the form&#39;s CSRF token is missing/);
  res = await post(RUNNING, "pause", { csrf: "wrong" });
  assert.equal(res.status, 403);
  await res.body?.cancel();
  res = await e.app.request(
    `${BASE}${href(RUNNING)}/pause`,
    formPost({ csrf: e.op.csrf }, { cookie: e.op.cookie, origin: "https://evil.test" }),
  );
  assert.equal(res.status, 403, "another site");
  await res.body?.cancel();
  assert.equal((await e.api(RUNNING)).state, "running", "unchanged");

  res = await post(RUNNING, "pause", { csrf: e.op.csrf });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), href(RUNNING));
  const paused = await e.api(RUNNING);
  assert.deepEqual([paused.state, paused.cap, paused.reason], ["paused", 0, "paused by the operator"]);
  const { html } = await e.page(href(RUNNING));
  assert.match(html, /id="rollout-state">paused</);

  // pausing a halted rollout: a 409 page saying why, not a 500
  res = await post(HALTED, "pause", { csrf: e.op.csrf });
  assert.equal(res.status, 409);
  const refused = await res.text();
  assert.match(
    refused,
    /role="alert" id="rollout-error">Cannot pause rollout acme:radio:main:2:2222222b+: it is halted</,
  );
  assert.match(refused, /id="rollout-state">halted</);
  assert.equal((await e.api(HALTED)).state, "halted");
  res = await post(HALTED, "resume", { csrf: e.op.csrf });
  assert.equal(res.status, 303);
  assert.equal((await e.api(HALTED)).state, "running");
  res = await post(HALTED, "end", { csrf: e.op.csrf });
  assert.equal(res.status, 303);
  assert.equal((await e.api(HALTED)).state, "ended");
  const { html: overview } = await e.page("/ui/");
  assert.ok(!overview.includes(`data-rollout="${HALTED}"`), "an ended rollout is no longer in progress");
  assert.doesNotMatch(overview, /http-equiv="refresh"/, "nothing running");
});
