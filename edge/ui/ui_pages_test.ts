import assert from "node:assert/strict";
import { createApp } from "../app.ts";
import { FsStorage } from "../storage/fs_storage.ts";
import { CONTENT_SECURITY_POLICY } from "./_page_response.ts";
import { addDevice, formPost, type Operator, signIn, T0, uiFixture } from "./_ui_fixture.ts";

const BASE = "http://edge.test";
const XSS = "<script>alert(1)</script>";

function assertSecurityHeaders(res: Response, what: string) {
  assert.equal(res.headers.get("content-security-policy"), CONTENT_SECURITY_POLICY, what);
  assert.match(CONTENT_SECURITY_POLICY, /default-src 'none'.*frame-ancestors 'none'/);
  assert.equal(res.headers.get("x-content-type-options"), "nosniff", what);
  assert.equal(res.headers.get("referrer-policy"), "same-origin", what);
  assert.equal(res.headers.get("x-frame-options"), "DENY", what);
}

const get =
  (app: { request(url: string, init?: RequestInit): Response | Promise<Response> }, op: Operator) =>
  async (path: string) => {
    const res = await app.request(`${BASE}${path}`, { headers: { cookie: op.cookie } });
    return { res, html: await res.text() };
  };

Deno.test("dashboard: every response carries the CSP and the other security headers; no script anywhere", async () => {
  const f = await uiFixture();
  try {
    const id = await addDevice(f.store, { state: "pending" });
    const op = await signIn(f.app);
    const page = get(f.app, op);
    const paths = [
      "/ui/",
      "/ui/devices",
      "/ui/devices?state=bogus",
      `/ui/devices/${id}`,
      `/ui/devices/d_${"0".repeat(32)}`,
      "/ui/devices/not-an-id",
      "/ui/releases",
      "/ui/nope",
      "/ui/static/ui.00000000.css",
    ];
    for (const path of paths) {
      const { res, html } = await page(path);
      assertSecurityHeaders(res, path);
      assert.equal(res.headers.get("cache-control"), "no-store", path);
      assert.match(res.headers.get("content-type") ?? "", /^text\/html; charset=utf-8$/, path);
      assert.ok(html.startsWith('<!doctype html><html lang="en">'), path);
      assert.doesNotMatch(html, /<script|style=|javascript:/i, path);
    }
    assert.equal((await page("/ui/devices?state=bogus")).res.status, 400);
    assert.equal((await page(`/ui/devices/d_${"0".repeat(32)}`)).res.status, 404);
    assert.equal((await page("/ui/nope")).res.status, 404);
    const login = await f.app.request(`${BASE}/ui/login`);
    assertSecurityHeaders(login, "login");
    const refused = await f.app.request(
      `${BASE}/ui/devices/${id}/accept`,
      formPost({}, { cookie: op.cookie }),
    );
    assertSecurityHeaders(refused, "refused POST");
    const redirect = await f.app.request(`${BASE}/ui/`);
    assertSecurityHeaders(redirect, "redirect");
    // the stylesheet: the path the pages link, cached for a year
    const href = /<link rel="stylesheet" href="([^"]+)"/.exec((await page("/ui/")).html)?.[1];
    assert.match(href ?? "", /^\/ui\/static\/ui\.[0-9a-f]{8}\.css$/);
    const css = await f.app.request(`${BASE}${href}`);
    assert.equal(css.status, 200);
    assert.equal(css.headers.get("content-type"), "text/css; charset=utf-8");
    assert.equal(css.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assertSecurityHeaders(css, "stylesheet");
    assert.ok((await css.text()).length < 16 * 1024);
  } finally {
    await f.close();
  }
});

Deno.test("dashboard: device-supplied strings are shown as text, never as markup", async () => {
  const f = await uiFixture();
  try {
    const id = await addDevice(f.store, {
      state: "pending",
      labels: { site: XSS, "x-y": `"><img src=x onerror=alert(1)>` },
      reports: [{ app: "acme/radio", commit: "68200ec", stage: "health", result: "error", message: XSS }],
    });
    const page = get(f.app, await signIn(f.app));
    for (
      const path of [
        `/ui/devices/${id}`,
        "/ui/devices",
        `/ui/devices?label=${encodeURIComponent(`site=${XSS}`)}`,
      ]
    ) {
      const { res, html } = await page(path);
      assert.equal(res.status, 200, path);
      assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/, path);
      assert.doesNotMatch(html, /<script/i, path);
      assert.doesNotMatch(html, /<img/i, path);
      assert.match(html, /&quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;/, path);
    }
    // the filter form echoes what was typed, escaped inside the attribute
    const { html } = await page(`/ui/devices?app=${encodeURIComponent(`"><script>x</script>`)}`);
    assert.match(html, /name="app" value="&quot;&gt;&lt;script&gt;x&lt;\/script&gt;"/);
  } finally {
    await f.close();
  }
});

Deno.test("dashboard: overview, filters and pages over 1,000 devices; every page well under 100 KB", async () => {
  const f = await uiFixture();
  try {
    const commits = ["1111111", "2222222", "3333333"];
    const ids: string[] = [];
    for (let i = 0; i < 1000; i++) {
      ids.push(
        await addDevice(f.store, {
          state: i % 10 === 0 ? "pending" : "accepted",
          labels: { site: `site-${i % 4}`, rack: `r${i}` },
          apps: [{ name: "acme/radio", commit: commits[i % 3]! }, { name: "acme/lights", commit: "abcdef0" }],
          reports: i % 7 === 0
            ? [{ app: "acme/radio", commit: "1111111", stage: "health", result: "error" }]
            : [],
          now: T0 - (i % 48) * 3600_000,
        }),
      );
    }
    const page = get(f.app, await signIn(f.app));
    const overview = await page("/ui/");
    assert.ok(overview.html.length < 100_000, `overview: ${overview.html.length} bytes`);
    assert.match(overview.html, /<dt>Total<\/dt><dd><a href="\/ui\/devices">1,000<\/a><\/dd>/);
    assert.match(overview.html, /<dt>Pending<\/dt><dd><a href="\/ui\/devices\?state=pending">100<\/a>/);
    assert.match(overview.html, /acme\/radio <span class="muted">@ main<\/span>/);
    assert.match(overview.html, /<span class="c0 w33"><\/span>/, "a bar segment per commit, by width class");
    assert.match(overview.html, /href="\/ui\/devices\?app=acme%2Fradio&amp;commit=1111111"/);
    assert.match(overview.html, /id="rollouts"/, "the region rollouts will fill");

    // every page of the unfiltered list, following the cursor: each device once
    const seen = new Set<string>();
    let path: string | undefined = "/ui/devices";
    let pages = 0;
    while (path) {
      const { res, html } = await page(path);
      assert.equal(res.status, 200);
      assert.ok(html.length < 100_000, `${path}: ${html.length} bytes`);
      for (const m of html.matchAll(/<a class="mono" href="\/ui\/devices\/(d_[0-9a-f]{32})">/g)) {
        seen.add(m[1]!);
      }
      path = /<a href="([^"]+)" rel="next">/.exec(html)?.[1]?.replaceAll("&amp;", "&");
      pages++;
    }
    assert.equal(seen.size, 1000);
    assert.equal(pages, 20);

    const pending = await page("/ui/devices?state=pending&label=site%3Dsite-0");
    const rows = [...pending.html.matchAll(/<span class="badge s-(\w+)">/g)].map((m) => m[1]);
    assert.equal(rows.length, 50, "every 20th device is pending with site-0: 50, one page");
    assert.ok(rows.every((s) => s === "pending"));
    assert.ok(pending.html.includes('<option value="pending" selected>pending</option>'));
    assert.ok(!pending.html.includes('rel="next"'));
    const byCommit = await page("/ui/devices?app=acme%2Fradio&commit=2222222&seen=24h");
    const found = [...byCommit.html.matchAll(/href="\/ui\/devices\/(d_[0-9a-f]{32})"/g)].map((m) => m[1]!);
    const expected = ids.filter((_, i) => i % 3 === 1 && i % 48 <= 24);
    assert.equal(found.length, Math.min(50, expected.length));
    assert.ok(found.every((id) => expected.includes(id)));
    const bad = await page("/ui/devices?label=nolabel");
    assert.equal(bad.res.status, 400);
    assert.match(bad.html, /Cannot read label: expected KEY=VALUE/);
    const badCursor = await page("/ui/devices?cursor=x");
    assert.equal(badCursor.res.status, 400);
  } finally {
    await f.close();
  }
});

Deno.test("dashboard: a device page stays small with long reports and reloads while a download goes on", async () => {
  const f = await uiFixture();
  try {
    const message = "x".repeat(1000);
    const reports = Array.from({ length: 100 }, () => ({
      app: "acme/radio",
      commit: "68200ec",
      stage: "install" as const,
      result: "error" as const,
      message,
    }));
    const noisy = await addDevice(f.store, { reports });
    const page = get(f.app, await signIn(f.app));
    const { html } = await page(`/ui/devices/${noisy}`);
    assert.ok(html.length < 100_000, `${html.length} bytes`);
    assert.doesNotMatch(html, /http-equiv="refresh"/);
    const busy = await addDevice(f.store, {
      reports: [{ app: "acme/radio", commit: "68200ec", stage: "download", result: "ok" }],
    });
    assert.match((await page(`/ui/devices/${busy}`)).html, /<meta http-equiv="refresh" content="15">/);
    f.clock.now += 11 * 60_000;
    assert.doesNotMatch((await page(`/ui/devices/${busy}`)).html, /http-equiv="refresh"/, "not after 10 min");
    assert.doesNotMatch((await page("/ui/")).html, /http-equiv="refresh"/);
  } finally {
    await f.close();
  }
});

Deno.test("dashboard: the releases page lists what the repository publishes", async () => {
  const f = await uiFixture();
  try {
    const { html } = await get(f.app, await signIn(f.app))("/ui/releases");
    assert.match(
      html,
      /<th scope="row">drover\/hello<\/th><td>main<\/td><td class="mono">0123456789ab<\/td>/,
    );
    assert.match(
      html,
      /href="\/ui\/devices\?app=drover%2Fhello&amp;commit=0123456789abcdef0123456789abcdef01234567"/,
    );
    assert.match(html, /Raspberry Pi 4 \(64 bit\) <span class="muted mono small">raspberrypi4-64<\/span>/);
    assert.match(html, /\(also rpi4\)/);
    assert.match(html, /<th scope="row">1\.0\.0<\/th><td>prod<\/td>/);
  } finally {
    await f.close();
  }
});

Deno.test("dashboard: an edge without a fleet database still signs in and shows releases", async () => {
  const dir = await Deno.makeTempDir({ prefix: "drover-ui-" });
  try {
    const app = createApp({
      storage: new FsStorage(dir),
      config: { operatorToken: "operator-token-for-tests" },
    });
    const page = get(app, await signIn(app));
    assert.match((await page("/ui/")).html, /This edge has no fleet database/);
    assert.equal((await page("/ui/devices")).res.status, 404);
    assert.equal((await page(`/ui/devices/d_${"0".repeat(32)}`)).res.status, 404);
    assert.match((await page("/ui/releases")).html, /No app is published/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("dashboard: 600 malformed requests never get a 5xx", async () => {
  const logged: string[] = [];
  const f = await uiFixture({ log: (line) => logged.push(line) });
  try {
    const id = await addDevice(f.store, { state: "pending" });
    const op = await signIn(f.app);
    const junk = [
      "%zz",
      "%00",
      "\u0000",
      "'\"<>",
      "x".repeat(5000),
      "..%2f..%2f",
      "ä",
      "%E0%A4%A",
      "=",
      "&&",
    ];
    const pick = <T>(list: readonly T[], i: number) => list[i % list.length]!;
    const paths = [
      "/ui/devices?",
      "/ui/devices/",
      "/ui/",
      "/ui/login?next=",
      "/ui/static/",
      `/ui/devices/${id}/`,
      "/ui/releases?",
    ];
    const params = ["app=", "commit=", "state=", "label=", "seen=", "cursor=", "label=site%3D", "next="];
    const cookies = [op.cookie, `drover_ui=${pick(junk, 3)}`, "drover_ui=v1.a.b.c", "", `${op.cookie}x`];
    for (let i = 0; i < 600; i++) {
      const path = `${pick(paths, i)}${pick(params, i * 7)}${encodeURI(pick(junk, i * 3)).slice(0, 3000)}`;
      const post = i % 3 === 0;
      const res = await f.app.request(`${BASE}${path.replaceAll(" ", "%20")}`, {
        method: post ? "POST" : "GET",
        headers: {
          cookie: pick(cookies, i * 5),
          ...(post
            ? {
              "content-type": pick(
                ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"],
                i,
              ),
            }
            : {}),
        },
        ...(post ? { body: `csrf=${pick(junk, i)}&token=${pick(junk, i * 11)}` } : {}),
      });
      await res.arrayBuffer();
      assert.ok(res.status < 500, `${res.status} for ${post ? "POST" : "GET"} ${path.slice(0, 100)}`);
    }
    assert.deepEqual(logged, [], "no internal error");
    assert.equal((await f.store.getDevice(id))?.state, "pending", "nothing changed");
  } finally {
    await f.close();
  }
});
