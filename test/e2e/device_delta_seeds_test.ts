/**
 * Seeds of deltas end to end (DESIGN §10): the first delta after a full install lists the seed by
 * its release's signed index; `update` streams a delta into the extractor and keeps the streamed tar
 * as the next seed; the seeds of the current and previous releases are kept (content-addressed) and
 * a delta uses both; the seed layout before is used, then replaced.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { serveStatic } from "./static_server.ts";
import { drover, jsonOf } from "./device_fixture.ts";
import { assertTree, publish, range, seedDir, seedListHead, seeds, setUp, tree } from "./_device_delta.ts";

Deno.test("the first delta after a full install lists the seed by its release's signed index, not by chunking it", async () => {
  const { fx, r1 } = await setUp();
  await using _fx = fx;
  await using server = serveStatic(fx.repo);
  const api = ["--api", server.url.href];
  assert.equal((await drover(["update", ...fx.args(), ...api])).code, 0);
  assert.deepEqual(seeds(fx), [r1.sha256]);
  await assert.rejects(Deno.stat(join(seedDir(fx), `${r1.sha256}.cidx-local`)), "no list yet");
  const r2 = tree(new Set([100]));
  const { size } = await publish(fx, "bbbbbbb2", r2);

  const before = server.requests.length;
  const check = await drover(["check", ...fx.args(), ...api, "--json"]);
  assert.equal(check.code, 0, check.stderr);
  assert.ok(jsonOf(check).apps[0].delta.fetched < 0.1 * size);
  const indexes = server.requests.slice(before).filter((r) => r.path.endsWith(".cidx"));
  assert.equal(indexes.length, 2, "release 2's index and release 1's (the seed's list)");
  assert.equal((await seedListHead(fx, r1.sha256)).source, "index", "the seed's list is its release's index");
  assert.equal((await drover(["install", ...fx.args()])).code, 0);
  await assertTree(fx, r2);
});

Deno.test("update streams a delta into the extractor and keeps the streamed tar as the next seed", async () => {
  const { fx, r1 } = await setUp();
  await using _fx = fx;
  await using server = serveStatic(fx.repo);
  const api = ["--api", server.url.href];
  assert.equal((await drover(["update", ...fx.args(), ...api])).code, 0);
  const r2 = tree(new Set([100]));
  const { size, sha256 } = await publish(fx, "bbbbbbb2", r2);

  const before = server.requests.length;
  const update = await drover(["update", ...fx.args(), ...api, "--json"]);
  assert.equal(update.code, 0, update.stderr);
  const { check, install } = jsonOf(update);
  assert.equal(check.apps[0].action, "deferred", "planned by check, fetched by the install");
  assert.ok(check.apps[0].delta.fetched < 0.1 * size, `to fetch ${check.apps[0].delta.fetched} of ${size}`);
  assert.equal(install.apps[0].action, "installed");
  const reqs = server.requests.slice(before);
  assert.ok(!reqs.some((r) => r.path.endsWith(".tar.gz")), "the full artifact is not fetched");
  assert.ok(reqs.some((r) => r.path.endsWith(".cpack") && r.range), "the pack is fetched by Range");
  await assertTree(fx, r2);
  assert.deepEqual([...Deno.readDirSync(join(fx.ws, "downloads"))], [], "nothing left in downloads");
  assert.deepEqual(seeds(fx), [r1.sha256, sha256].sort());
  const seed = await Deno.readFile(join(seedDir(fx), `${sha256}.blob`));
  assert.ok(seed.length > size && seed[0] !== 0x1f, "the next seed is the streamed (uncompressed) tar");
  assert.equal((await seedListHead(fx, sha256)).source, "index");
});

Deno.test("a release sharing chunks with the current and the previous release fetches only what neither holds", async () => {
  const { fx, r1 } = await setUp();
  await using _fx = fx;
  await using server = serveStatic(fx.repo);
  const api = ["--api", server.url.href];
  assert.equal((await drover(["update", ...fx.args(), ...api])).code, 0);
  const r2 = await publish(fx, "bbbbbbb2", tree(range(20, 100)));
  assert.equal((await drover(["update", ...fx.args(), ...api])).code, 0);
  assert.deepEqual(seeds(fx), [r1.sha256, r2.sha256].sort(), "release 1's seed stays as the previous one");

  // files 20-59 as in release 2, 60-99 as in release 1, one file new: each seed alone lacks 20%
  const files = tree(range(20, 60), new Set([150]));
  const { size } = await publish(fx, "ccccccc3", files);
  const check = await drover(["check", ...fx.args(), ...api, "--json"]);
  assert.equal(check.code, 0, check.stderr);
  const { fetched } = jsonOf(check).apps[0].delta;
  assert.ok(fetched < 0.1 * size, `fetched ${fetched} of ${size}: chunks of both seeds are copied`);
  assert.equal((await drover(["install", ...fx.args()])).code, 0);
  await assertTree(fx, files);
});

Deno.test("an install keeps the seeds of the current and previous releases and removes older ones", async () => {
  const { fx, r1 } = await setUp();
  await using _fx = fx;
  await using server = serveStatic(fx.repo);
  const api = ["--api", server.url.href];
  assert.equal((await drover(["update", ...fx.args(), ...api])).code, 0);
  const r2 = await publish(fx, "bbbbbbb2", tree(new Set([1])));
  assert.equal((await drover(["update", ...fx.args(), ...api])).code, 0);
  const r3 = await publish(fx, "ccccccc3", tree(new Set([1, 2])));
  assert.equal((await drover(["update", ...fx.args(), ...api])).code, 0);
  assert.deepEqual(seeds(fx), [r2.sha256, r3.sha256].sort(), `release 1's (${r1.sha256}) is gone`);
  const names = [...Deno.readDirSync(seedDir(fx))].map((e) => e.name).sort();
  assert.deepEqual(names, [r2, r3].flatMap((r) => [`${r.sha256}.blob`, `${r.sha256}.cidx-local`]).sort());

  // a rollback: release 2 is current again, and stays a seed when release 4 is installed
  assert.equal((await drover(["rollback", ...fx.args(), "--app", "acme/radio"])).code, 0);
  const r4 = await publish(fx, "ddddddd4", tree(new Set([1, 2, 3])));
  assert.equal((await drover(["update", ...fx.args(), ...api])).code, 0);
  assert.deepEqual(seeds(fx), [r2.sha256, r4.sha256].sort(), "the seeds of current (4) and previous (2)");
});

Deno.test("a seed of the layout before is used, then replaced by the next install's", async () => {
  const { fx, r1 } = await setUp();
  await using _fx = fx;
  await using server = serveStatic(fx.repo);
  const api = ["--api", server.url.href];
  assert.equal((await drover(["update", ...fx.args(), ...api])).code, 0);
  // as an earlier drover left it: seeds/<owner~app>.blob, one an app
  const legacy = join(fx.ws, "seeds", "acme~radio.blob");
  await Deno.rename(join(seedDir(fx), `${r1.sha256}.blob`), legacy);
  await Deno.remove(seedDir(fx), { recursive: true });
  const r2 = tree(new Set([100]));
  const { size, sha256 } = await publish(fx, "bbbbbbb2", r2);
  const check = await drover(["check", ...fx.args(), ...api, "--json"]);
  assert.equal(check.code, 0, check.stderr);
  assert.ok(jsonOf(check).apps[0].delta.fetched < 0.1 * size, "the old seed serves");
  assert.equal((await drover(["install", ...fx.args()])).code, 0);
  await assertTree(fx, r2);
  await assert.rejects(Deno.stat(legacy), "the old seed is removed");
  assert.deepEqual(seeds(fx), [sha256]);
});
