import assert from "node:assert/strict";
import { addDevice, formPost, OPERATOR_TOKEN, signIn, uiFixture } from "./_ui_fixture.ts";

const BASE = "http://edge.test";

Deno.test("dashboard: every page needs a session (redirect to sign-in, back afterwards)", async () => {
  const f = await uiFixture();
  try {
    const id = await addDevice(f.store);
    for (const path of ["/ui/", "/ui/devices?state=pending", `/ui/devices/${id}`, "/ui/releases"]) {
      const res = await f.app.request(`${BASE}${path}`);
      assert.equal(res.status, 303, path);
      assert.equal(res.headers.get("location"), `/ui/login?${new URLSearchParams({ next: path })}`);
      assert.ok(res.headers.get("content-security-policy"), path);
    }
    const login = await f.app.request(`${BASE}/ui/login?next=%2Fui%2Freleases`);
    assert.equal(login.status, 200);
    const html = await login.text();
    assert.match(
      html,
      /<label for="token">Operator token<\/label><input id="token" name="token" type="password"/,
    );
    assert.match(html, /name="next" value="\/ui\/releases"/);
    const res = await f.app.request(
      `${BASE}/ui/login`,
      formPost({ token: OPERATOR_TOKEN, next: "/ui/releases" }, { origin: BASE, site: "same-origin" }),
    );
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/ui/releases");
    // only /ui/ paths: anything else goes to the overview (no open redirect)
    const unsafe = [
      "//evil.example/",
      "https://evil.example/ui/",
      "/ui/\\evil",
      "/releases",
      "/ui/ x",
      "/ui/€",
      "/ui/login",
    ];
    for (const next of unsafe) {
      const r = await f.app.request(
        `${BASE}/ui/login`,
        formPost({ token: OPERATOR_TOKEN, next }, { origin: BASE }),
      );
      assert.equal(r.headers.get("location"), "/ui/", next);
    }
    const bare = await f.app.request(`${BASE}/ui`);
    assert.equal(bare.headers.get("location"), "/ui/");
    assert.ok(bare.headers.get("content-security-policy"));
  } finally {
    await f.close();
  }
});

Deno.test("dashboard: a wrong token is refused and sets no cookie; no operator token, no sign-in", async () => {
  const f = await uiFixture();
  try {
    for (const token of ["wrong-token-value", "", `${OPERATOR_TOKEN}x`]) {
      const res = await f.app.request(
        `${BASE}/ui/login`,
        formPost({ token, next: "/ui/" }, { origin: BASE }),
      );
      assert.equal(res.status, 403);
      assert.equal(res.headers.get("set-cookie"), null);
      assert.match(await res.text(), /Cannot sign in: wrong operator token/);
    }
    // a form posted from another site cannot sign anyone in (login CSRF)
    const cross = await f.app.request(
      `${BASE}/ui/login`,
      formPost({ token: OPERATOR_TOKEN }, { origin: "https://evil.example", site: "cross-site" }),
    );
    assert.equal(cross.status, 403);
    assert.equal(cross.headers.get("set-cookie"), null);
  } finally {
    await f.close();
  }
  const off = await uiFixture({ operatorToken: undefined });
  try {
    const page = await off.app.request(`${BASE}/ui/login`);
    assert.equal(page.status, 403);
    assert.match(await page.text(), /dashboard is disabled/);
    const res = await off.app.request(
      `${BASE}/ui/login`,
      formPost({ token: OPERATOR_TOKEN }, { origin: BASE }),
    );
    assert.equal(res.status, 403);
    assert.equal((await off.app.request(`${BASE}/ui/`)).status, 303);
  } finally {
    await off.close();
  }
});

Deno.test("dashboard: the session cookie is HttpOnly, SameSite=Strict, and Secure over HTTPS", async () => {
  const f = await uiFixture();
  try {
    const post = (origin: string) =>
      f.app.request(`${origin}/ui/login`, formPost({ token: OPERATOR_TOKEN }, { origin }));
    const plain = (await post(BASE)).headers.get("set-cookie") ?? "";
    assert.match(plain, /^drover_ui=v1\.[^;]+; Max-Age=43200; Path=\/ui; HttpOnly; SameSite=Strict$/);
    const https = (await post("https://edge.test")).headers.get("set-cookie") ?? "";
    assert.match(
      https,
      /^__Host-drover_ui=v1\.[^;]+; Max-Age=43200; Path=\/; HttpOnly; Secure; SameSite=Strict$/,
    );
    // signed in over HTTPS: the session works there, and the plain-HTTP name is not read
    const cookie = https.split(";")[0]!;
    assert.equal((await f.app.request("https://edge.test/ui/", { headers: { cookie } })).status, 200);
    const plainName = cookie.replace("__Host-", "");
    assert.equal(
      (await f.app.request("https://edge.test/ui/", { headers: { cookie: plainName } })).status,
      303,
    );
  } finally {
    await f.close();
  }
  // behind a proxy terminating TLS: the public URL says https
  const proxied = await uiFixture({ publicUrl: "https://updates.example" });
  try {
    const res = await proxied.app.request(
      `${BASE}/ui/login`,
      formPost({ token: OPERATOR_TOKEN }, { origin: "https://updates.example" }),
    );
    assert.match(res.headers.get("set-cookie") ?? "", /^__Host-drover_ui=.*; Secure; SameSite=Strict$/);
  } finally {
    await proxied.close();
  }
});

Deno.test("dashboard: sessions expire, forged cookies are ignored, sign-out clears the cookie", async () => {
  const f = await uiFixture();
  try {
    const { cookie, csrf } = await signIn(f.app);
    assert.equal((await f.app.request(`${BASE}/ui/`, { headers: { cookie } })).status, 200);
    const value = cookie.split("=")[1]!;
    const [v, id, expires, mac] = value.split(".");
    const forged = `drover_ui=${v}.${id}.${Number(expires) + 3600_000}.${mac}`;
    assert.equal((await f.app.request(`${BASE}/ui/`, { headers: { cookie: forged } })).status, 303);
    const out = await f.app.request(`${BASE}/ui/logout`, formPost({ csrf }, { cookie, origin: BASE }));
    assert.equal(out.status, 303);
    assert.equal(out.headers.get("location"), "/ui/login");
    assert.match(
      out.headers.get("set-cookie") ?? "",
      /^drover_ui=; Max-Age=0; Path=\/ui; HttpOnly; SameSite=Strict$/,
    );
    f.clock.now += 12 * 3600_000;
    assert.equal((await f.app.request(`${BASE}/ui/`, { headers: { cookie } })).status, 303, "expired");
  } finally {
    await f.close();
  }
});

Deno.test("dashboard: accept/reject need the CSRF token of the session and a same-site request", async () => {
  const f = await uiFixture();
  try {
    const id = await addDevice(f.store, { state: "pending" });
    const operator = await signIn(f.app);
    const other = await signIn(f.app);
    const accept = `${BASE}/ui/devices/${id}/accept`;
    const refused: [string, RequestInit][] = [
      ["no CSRF token", formPost({}, { cookie: operator.cookie, origin: BASE })],
      ["a wrong CSRF token", formPost({ csrf: "A".repeat(43) }, { cookie: operator.cookie, origin: BASE })],
      ["another session's token", formPost({ csrf: other.csrf }, { cookie: operator.cookie, origin: BASE })],
      ["no session", formPost({ csrf: operator.csrf }, { origin: BASE })],
      [
        "another origin",
        formPost({ csrf: operator.csrf }, { cookie: operator.cookie, origin: "https://evil.example" }),
      ],
      ["Origin: null", formPost({ csrf: operator.csrf }, { cookie: operator.cookie, origin: "null" })],
      ["cross-site", formPost({ csrf: operator.csrf }, { cookie: operator.cookie, site: "cross-site" })],
      ["same-site", formPost({ csrf: operator.csrf }, { cookie: operator.cookie, site: "same-site" })],
      ["a JSON body", {
        method: "POST",
        headers: { cookie: operator.cookie, "content-type": "application/json" },
        body: JSON.stringify({ csrf: operator.csrf }),
      }],
    ];
    for (const [why, init] of refused) {
      const res = await f.app.request(accept, init);
      assert.equal(res.status, 403, why);
      assert.match(res.headers.get("content-type") ?? "", /^text\/html/, why);
      assert.match(await res.text(), /Cannot accept device: /, why);
      assert.equal((await f.store.getDevice(id))?.state, "pending", `${why}: nothing changed`);
    }
    const big = await f.app.request(
      accept,
      formPost({ csrf: operator.csrf, pad: "x".repeat(20_000) }, { cookie: operator.cookie, origin: BASE }),
    );
    assert.equal(big.status, 413);
    assert.equal((await f.store.getDevice(id))?.state, "pending");

    const ok = await f.app.request(
      accept,
      formPost({ csrf: operator.csrf }, { cookie: operator.cookie, origin: BASE, site: "same-origin" }),
    );
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get("location"), `/ui/devices/${id}`);
    assert.equal((await f.store.getDevice(id))?.state, "accepted");
    // a client that sends neither Origin nor Sec-Fetch-Site (a script) still needs the token
    const rejected = await f.app.request(
      `${BASE}/ui/devices/${id}/reject`,
      formPost({ csrf: operator.csrf }, { cookie: operator.cookie }),
    );
    assert.equal(rejected.status, 303);
    assert.equal((await f.store.getDevice(id))?.state, "rejected");
    const unknown = await f.app.request(
      `${BASE}/ui/devices/d_${"0".repeat(32)}/accept`,
      formPost({ csrf: operator.csrf }, { cookie: operator.cookie, origin: BASE }),
    );
    assert.equal(unknown.status, 404);
    const get = await f.app.request(`${BASE}/ui/devices/${id}/accept`, {
      headers: { cookie: operator.cookie },
    });
    assert.equal(get.status, 404, "a GET never changes anything");
    assert.equal((await f.store.getDevice(id))?.state, "rejected");
  } finally {
    await f.close();
  }
});
