/**
 * Deltas end to end over real HTTP (DESIGN §10): publish release 1 and install it (its blob stays
 * as the seed), publish release 2 with 1 of 200 files changed, and `check` fetches only the
 * missing chunks by Range; `update` streams a delta into the extractor; hostile servers and a
 * damaged seed; a delta download killed midway.
 */
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { join } from "node:path";
import { snapshotTree, spawnDrover } from "../harness.ts";
import { serveStatic } from "./static_server.ts";
import { drover, jsonOf } from "./device_fixture.ts";
import {
  assertTree,
  packRequests,
  publish,
  seedDir,
  seeds,
  setUp as setUpApp,
  tree,
} from "./_device_delta.ts";

/** A device with release 1 published (installed by the test's first `update`), release 2's tree. */
async function setUp() {
  const { fx, r1 } = await setUpApp();
  return { fx, r1, r2: tree(new Set([100])) };
}

Deno.test("an update by delta fetches under 10% of the artifact by Range and installs the right tree", async () => {
  const { fx, r1, r2 } = await setUp();
  await using _fx = fx;
  await using server = serveStatic(fx.repo);
  const api = ["--api", server.url.href];
  const first = await drover(["update", ...fx.args(), ...api]);
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(seeds(fx), [r1.sha256], "the installed blob is the seed");
  const { size: full, sha256 } = await publish(fx, "bbbbbbb2", r2);

  const before = server.requests.length;
  const check = await drover(["check", ...fx.args(), ...api, "--json"]);
  assert.equal(check.code, 0, check.stderr);
  const app = jsonOf(check).apps[0];
  assert.equal(app.action, "downloaded");
  assert.ok(app.delta.fetched < 0.1 * full, `fetched ${app.delta.fetched} of ${full}`);
  assert.equal(app.delta.saved, full - app.delta.fetched);
  const reqs = server.requests.slice(before);
  assert.ok(!reqs.some((r) => r.path.endsWith(".tar.gz")), "the full artifact is not fetched");
  assert.ok(
    packRequests(reqs).length > 0 && packRequests(reqs).every((r) => /^bytes=\d+-\d+$/.test(r.range ?? "")),
  );

  const install = await drover(["install", ...fx.args(), "--json"]);
  assert.equal(install.code, 0, install.stderr);
  assert.equal(await fx.currentCommit("radio"), "bbbbbbb2");
  await assertTree(fx, r2);
  assert.deepEqual([...Deno.readDirSync(join(fx.ws, "downloads"))], []);
  assert.deepEqual(seeds(fx), [r1.sha256, sha256].sort(), "the seeds of the current and previous releases");
  assert.ok((await Deno.stat(join(seedDir(fx), `${sha256}.blob`))).size > full, "the tar is the next seed");
});

Deno.test("hostile pack bytes, ranges and a truncated pack are refused (exit 3), nothing changed", async () => {
  const { fx, r2 } = await setUp();
  await using _fx = fx;
  let mode: "flip" | "shift" | "truncate" | undefined;
  await using server = serveStatic(fx.repo, {
    intercept: async (req, path) => {
      if (!mode || !path.endsWith(".cpack")) return undefined;
      const [a, b] = (req.headers.get("range") ?? "").replace("bytes=", "").split("-").map(Number);
      const bytes = await Deno.readFile(join(fx.repo, path));
      let body = bytes.slice(a!, b! + 1);
      if (mode === "flip") body[Math.floor(body.length / 2)]! ^= 0xff;
      if (mode === "shift") body = bytes.slice(a! + 1, b! + 2);
      if (mode === "truncate") body = body.slice(0, body.length - 10);
      return new Response(body, {
        status: 206,
        headers: { "content-range": `bytes ${a}-${b}/${bytes.length}` },
      });
    },
  });
  const api = ["--api", server.url.href];
  assert.equal((await drover(["update", ...fx.args(), ...api])).code, 0);
  await publish(fx, "bbbbbbb2", r2);
  const target = await snapshotTree(fx.target);
  for (const m of ["flip", "shift", "truncate"] as const) {
    mode = m;
    const r = await drover(["check", ...fx.args(), ...api, "--json", "--retries", "0"]);
    assert.equal(r.code, 3, `${m}: ${r.stderr}`);
    assert.equal(jsonOf(r).apps[0].action, "refused");
    assert.deepEqual(await snapshotTree(fx.target), target, m);
    assert.deepEqual([...Deno.readDirSync(join(fx.ws, "manifests"))], [], m);
  }
  mode = undefined;
  const ok = await drover(["update", ...fx.args(), ...api]);
  assert.equal(ok.code, 0, ok.stderr);
  await assertTree(fx, r2);
});

Deno.test("update: a bad pack range met while streaming into the extractor is refused (exit 3), nothing changed", async () => {
  const { fx } = await setUp();
  await using _fx = fx;
  let flip = false;
  let served = 0;
  await using server = serveStatic(fx.repo, {
    intercept: async (req, path) => {
      // the first range (fetched by check) is good, the later ones (fetched by the install) are not
      if (!flip || !path.endsWith(".cpack") || served++ === 0) return undefined;
      const [a, b] = (req.headers.get("range") ?? "").replace("bytes=", "").split("-").map(Number);
      const body = (await Deno.readFile(join(fx.repo, path))).slice(a!, b! + 1);
      body[body.length >> 1]! ^= 0xff;
      return new Response(body, { status: 206, headers: { "content-range": `bytes ${a}-${b}/*` } });
    },
  });
  const api = ["--api", server.url.href];
  assert.equal((await drover(["update", ...fx.args(), ...api])).code, 0);
  const files = tree(new Set([20, 70, 120, 170]));
  await publish(fx, "bbbbbbb2", files);
  const target = await snapshotTree(fx.target);
  flip = true;
  const bad = await drover(["update", ...fx.args(), ...api, "--json", "--retries", "0"]);
  assert.equal(bad.code, 3, bad.stderr);
  assert.equal(jsonOf(bad).check.apps[0].action, "deferred");
  assert.equal(jsonOf(bad).install.apps[0].action, "refused");
  assert.deepEqual(await snapshotTree(fx.target), target, "no release, no staging left");
  assert.deepEqual([...Deno.readDirSync(join(fx.ws, "downloads"))], [], "the bad delta is dropped");
  flip = false;
  const ok = await drover(["update", ...fx.args(), ...api]);
  assert.equal(ok.code, 0, ok.stderr);
  await assertTree(fx, files);
});

Deno.test("update: a server without the pack is found by check, which falls back to the full artifact", async () => {
  const { fx, r2 } = await setUp();
  await using _fx = fx;
  let gone = false;
  await using server = serveStatic(fx.repo, {
    intercept: (
      _req,
      path,
    ) => (gone && path.endsWith(".cpack") ? new Response("", { status: 404 }) : undefined),
  });
  const api = ["--api", server.url.href];
  assert.equal((await drover(["update", ...fx.args(), ...api])).code, 0);
  await publish(fx, "bbbbbbb2", r2);
  gone = true;
  const r = await drover(["update", ...fx.args(), ...api, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(jsonOf(r).check.apps[0].delta, undefined, "no delta");
  assert.equal(jsonOf(r).install.apps[0].action, "installed");
  assert.ok(server.requests.some((q) => q.path.endsWith(".tar.gz") && q.status === 200), "the full artifact");
  await assertTree(fx, r2);
});

Deno.test("a damaged seed is used chunk by chunk: the damaged chunks are fetched", async () => {
  const { fx, r2 } = await setUp();
  await using _fx = fx;
  await using server = serveStatic(fx.repo);
  const api = ["--api", server.url.href];
  assert.equal((await drover(["update", ...fx.args(), ...api])).code, 0);
  // the seed becomes the uncompressed tar (easier to damage in place): install release 2 by delta first
  const { sha256 } = await publish(fx, "bbbbbbb2", r2);
  const second = await drover(["update", ...fx.args(), ...api, "--json"]);
  assert.equal(second.code, 0, second.stderr);
  const clean = jsonOf(second).check.apps[0].delta.fetched;
  await Deno.remove(join(seedDir(fx), `${seeds(fx).find((s) => s !== sha256)}.blob`)); // release 1's
  const seed = join(seedDir(fx), `${sha256}.blob`);
  const bytes = await Deno.readFile(seed);
  for (const at of [0.2, 0.5, 0.8]) {
    bytes.fill(0x41, Math.floor(bytes.length * at), Math.floor(bytes.length * at) + 100);
  }
  await Deno.writeFile(seed, bytes);
  const r3 = tree(new Set([100, 150]));
  const { size: full } = await publish(fx, "ccccccc3", r3);
  const check = await drover(["check", ...fx.args(), ...api, "--json"]);
  assert.equal(check.code, 0, check.stderr);
  const fetched = jsonOf(check).apps[0].delta.fetched;
  assert.ok(
    fetched > 1.5 * clean && fetched < 0.5 * full,
    `fetched ${fetched} (${clean} undamaged) of ${full}`,
  );
  assert.equal((await drover(["install", ...fx.args()])).code, 0);
  await assertTree(fx, r3);
});

Deno.test("a seed chunk list that lies or is garbage costs fetches, never a wrong install", async () => {
  const { fx, r1, r2 } = await setUp();
  await using _fx = fx;
  await using server = serveStatic(fx.repo);
  const api = ["--api", server.url.href];
  assert.equal((await drover(["update", ...fx.args(), ...api])).code, 0);
  const seed = join(seedDir(fx), `${r1.sha256}.blob`);
  const cache = join(seedDir(fx), `${r1.sha256}.cidx-local`);
  await publish(fx, "bbbbbbb2", r2);
  /** A fresh check of release 2 (what an earlier one left pending is forgotten first). */
  const check = async () => {
    for (const d of ["downloads", "manifests"]) {
      for (const e of Deno.readDirSync(join(fx.ws, d))) {
        await Deno.remove(join(fx.ws, d, e.name), { recursive: true });
      }
    }
    const r = await drover(["check", ...fx.args(), ...api, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    return jsonOf(r).apps[0].delta.fetched as number;
  };
  const clean = await check();
  assert.ok((await Deno.stat(cache)).isFile, "the first delta caches the seed's chunk list");
  // the seed damaged in place, its cached list re-keyed to the new mtime: the list looks current and lies
  const bytes = await Deno.readFile(seed);
  for (const at of [0.9]) { // late: the seed is kept as gzip, whose stream ends at the first damage
    bytes.fill(0x41, Math.floor(bytes.length * at), Math.floor(bytes.length * at) + 100);
  }
  await Deno.writeFile(seed, bytes);
  const list = await Deno.readFile(cache);
  const end = list.indexOf(0x0a, 9);
  const head = JSON.parse(new TextDecoder().decode(list.subarray(9, end)));
  head.mtimeMs = statSync(seed).mtimeMs;
  await Deno.writeFile(
    cache,
    new Uint8Array([...new TextEncoder().encode(`DRVSIDX1\n${JSON.stringify(head)}`), ...list.subarray(end)]),
  );
  const lied = await check();
  assert.ok(lied > clean, `fetched ${lied} (${clean} with the seed intact)`);
  // a garbage list is ignored: the seed is chunked afresh (up to its damage)
  await Deno.writeTextFile(cache, "DRVSIDX1\n{not json");
  assert.equal(await check(), lied);
  const install = await drover(["install", ...fx.args()]);
  assert.equal(install.code, 0, install.stderr);
  await assertTree(fx, r2);
});

Deno.test("a delta download killed midway leaves current intact and a later run completes", async () => {
  const { fx, r2 } = await setUp();
  await using _fx = fx;
  let slow = false;
  await using server = serveStatic(fx.repo, {
    intercept: async (_req, path) => {
      if (slow && path.endsWith(".cpack")) await new Promise((r) => setTimeout(r, 400));
      return undefined;
    },
  });
  const api = ["--api", server.url.href];
  assert.equal((await drover(["update", ...fx.args(), ...api])).code, 0);
  const files = tree(new Set([20, 21, 22, 70, 71, 72, 120, 121, 122, 170, 171, 172]));
  await publish(fx, "bbbbbbb2", files);
  slow = true;
  // 4 pack ranges, 3 in flight: the 4th starts once one has been stored (the planning's probe of the
  // pack's first byte, `bytes=0-0`, is not one of them)
  const ranges = () => packRequests(server.requests).filter((r) => r.range !== "bytes=0-0");
  const child = await spawnDrover(["update", ...fx.args(), ...api], { runtime: "deno" });
  while (ranges().length < 4) await new Promise((r) => setTimeout(r, 20));
  child.kill("SIGKILL");
  await child.status;
  assert.equal(await fx.currentCommit("radio"), "aaaaaaa1");
  const held = [...Deno.readDirSync(join(fx.ws, "downloads"))].find((e) => e.name.endsWith(".chunks"));
  assert.ok(held, "the chunks fetched so far are kept");
  slow = false;
  const done = await drover(["update", ...fx.args(), ...api, "--json"]);
  assert.equal(done.code, 0, done.stderr);
  assert.ok(ranges().length < 8, "the resumed run fetches only what is missing");
  await assertTree(fx, files);
  assert.notEqual(r2, files);
});
