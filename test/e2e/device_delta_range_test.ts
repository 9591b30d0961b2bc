/**
 * Deltas from a server that does not honour Range (DESIGN §10): a static file server that answers a
 * Range request with the whole file (200, as `python3 -m http.server` does) or with 416 gives no delta,
 * never a refusal: `update`, and `check` then `install`, install release 2 from the full artifact
 * (exit 0) with a one-line notice on stderr; so does a server that stops honouring Range after the
 * planning's probe of the pack, mid-delta.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { serveStatic, type StaticServer } from "./static_server.ts";
import { drover, jsonOf } from "./device_fixture.ts";
import { assertTree, publish, setUp, tree } from "./_device_delta.ts";

const NOTICE =
  /acme\/radio: the server (ignored|did not honour) Range for the delta pack \(HTTP (200|416)\); downloading in full\n/;

/** How a server answers a Range request for the pack (every other request is served as usual). */
type Mode = "ignore" | "416" | "after-probe";

/** A server answering pack ranges by `mode` once `on.value` is set (release 1 installs as usual). */
function server(root: string, mode: Mode, on: { value: boolean }): StaticServer {
  return serveStatic(root, {
    intercept: async (req, path) => {
      const range = req.headers.get("range");
      if (!on.value || !range || !path.endsWith(".cpack")) return undefined;
      if (mode === "after-probe" && range === "bytes=0-0") return undefined; // the probe is honoured
      if (mode === "416") return new Response(null, { status: 416 });
      const bytes = await Deno.readFile(join(root, path));
      return new Response(bytes, { status: 200, headers: { "content-length": String(bytes.length) } });
    },
  });
}

/** Release 1 installed by `update`, release 2 (1 of 200 files changed) published; the server misbehaves. */
async function setUpRange(mode: Mode) {
  const { fx } = await setUp();
  const on = { value: false };
  const srv = server(fx.repo, mode, on);
  const api = ["--api", srv.url.href];
  const first = await drover(["update", ...fx.args(), ...api]);
  assert.equal(first.code, 0, first.stderr);
  const r2 = tree(new Set([100]));
  await publish(fx, "bbbbbbb2", r2);
  on.value = true;
  return { fx, srv, api, r2 };
}

/** The full artifact was fetched (200) and a pack range was answered otherwise than asked. */
function assertFullFallback(srv: StaticServer, mode: Mode) {
  const full = srv.requests.filter((q) => q.path.endsWith(".tar.gz") && q.status === 200);
  assert.equal(full.length, 2, "release 1 and release 2 in full");
  const ignored = srv.requests.filter((q) => q.path.endsWith(".cpack"));
  assert.ok(ignored.some((q) => q.status === (mode === "416" ? 416 : 200)), JSON.stringify(ignored));
}

for (const mode of ["ignore", "416", "after-probe"] as const) {
  Deno.test(`update: a pack range not honoured (${mode}) installs release 2 in full, exit 0, with a notice`, async () => {
    const { fx, srv, api, r2 } = await setUpRange(mode);
    await using _fx = fx;
    await using _srv = srv;
    const r = await drover(["update", ...fx.args(), ...api]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, NOTICE);
    assert.equal(r.stderr.match(new RegExp(NOTICE, "g"))?.length, 1, "one notice");
    if (mode === "after-probe") {
      // the probe was honoured: the delta was planned, and fell back while installing
      assert.match(r.stderr, /delta to fetch while installing[^]*ignored Range[^]*current -> releases/);
    }
    assert.equal(await fx.currentCommit("radio"), "bbbbbbb2");
    await assertTree(fx, r2);
    assertFullFallback(srv, mode);
    assert.deepEqual([...Deno.readDirSync(join(fx.ws, "downloads"))], [], "nothing of the delta is left");
    // still so on the next release, with --json (the notice is on stderr, the document on stdout)
    const r3 = tree(new Set([100, 150]));
    await publish(fx, "ccccccc3", r3);
    const again = await drover(["update", ...fx.args(), ...api, "--json"]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, NOTICE);
    assert.equal(jsonOf(again).install.apps[0].action, "installed");
    await assertTree(fx, r3);
  });

  Deno.test(`check then install: a pack range not honoured (${mode}) downloads release 2 in full, exit 0`, async () => {
    const { fx, srv, api, r2 } = await setUpRange(mode);
    await using _fx = fx;
    await using _srv = srv;
    const check = await drover(["check", ...fx.args(), ...api, "--json"]);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stderr, NOTICE);
    const app = jsonOf(check).apps[0];
    assert.equal(app.action, "downloaded");
    assert.equal(app.delta, undefined, "no delta");
    const install = await drover(["install", ...fx.args()]);
    assert.equal(install.code, 0, install.stderr);
    assert.equal(await fx.currentCommit("radio"), "bbbbbbb2");
    await assertTree(fx, r2);
    assertFullFallback(srv, mode);
    assert.deepEqual([...Deno.readDirSync(join(fx.ws, "downloads"))], [], "nothing of the delta is left");
  });
}
