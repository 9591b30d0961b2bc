/**
 * OS images by delta end to end (DESIGN §10): with an older image of the device type cached,
 * `drover image get` of a new version fetches only the chunks it lacks by Range, and the image it
 * commits hashes to the signed target; a hostile pack is refused (exit 3) with the cache unchanged.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { setAbilities } from "../../core/abilities.ts";
import { nodeAbilities } from "../../core/node.ts";
import { runRepo } from "../../scripts/repo/main.ts";
import { droverInProcess as drover } from "./_drover_in_process.ts";
import { serveStatic } from "./static_server.ts";

setAbilities(nodeAbilities);
const SIZE = 4 * 2 ** 20;
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** 4 MiB of pseudo-random bytes; version 2 differs in 200 bytes at two places. */
function image(version: 1 | 2): Uint8Array {
  const b = new Uint8Array(SIZE);
  let x = 7;
  for (let i = 0; i < SIZE; i++) b[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  if (version === 2) { for (const at of [SIZE / 4, (3 * SIZE) / 4]) b.fill(0x5a, at, at + 100); }
  return b;
}

async function repo(...args: string[]) {
  let err = "";
  const code = await runRepo(args, { stdout: () => {}, stderr: (t) => (err += t), env: {} });
  assert.equal(code, 0, `repo ${args[0]}: ${err}`);
}

/** A signed repository with images 1.0.0 and 1.1.0 of raspberrypi4-64 (their chunked forms too). */
async function fixture() {
  const tmp = await Deno.makeTempDir({ prefix: "drover-image-delta-" });
  const r = join(tmp, "repo"), k = join(tmp, "keys");
  await repo("init", "--repo", r, "--keys", k);
  await repo("add-device-type", "--repo", r, "--keys", k, "--slug", "raspberrypi4-64", "--alias", "rpi4");
  for (const [version, bytes] of [["1.0.0", image(1)], ["1.1.0", image(2)]] as const) {
    const file = join(tmp, `os-${version}.img`);
    await Deno.writeFile(file, bytes);
    await repo(
      "add-image",
      "--repo",
      r,
      "--keys",
      k,
      "--device-type",
      "rpi4",
      "--version",
      version,
      "--file",
      file,
    );
  }
  return { tmp, repoDir: r, root: join(r, "tuf", "1.root.json"), cache: join(tmp, "cache") };
}

Deno.test("drover image get fetches a new version by delta from a cached older image; a hostile pack is refused", async () => {
  const fx = await fixture();
  let flip = false;
  await using server = serveStatic(fx.repoDir, {
    intercept: async (req, path) => {
      if (!flip || !path.endsWith(".cpack")) return undefined;
      const [a, b] = (req.headers.get("range") ?? "").replace("bytes=", "").split("-").map(Number);
      const bytes = await Deno.readFile(join(fx.repoDir, path));
      const body = bytes.slice(a!, b! + 1);
      body[Math.floor(body.length / 2)]! ^= 0xff;
      return new Response(body, {
        status: 206,
        headers: { "content-range": `bytes ${a}-${b}/${bytes.length}` },
      });
    },
  });
  const args = ["--cache-dir", fx.cache, "--api", server.url.href, "--trusted-root", fx.root, "--json"];
  try {
    const first = await drover("image", "get", "rpi4", "1.0.0", ...args);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.json().delta, undefined, "nothing cached: the full image");
    const cached = (await drover("image", "list", "rpi4", ...args)).json().versions;

    flip = true;
    const hostile = await drover("image", "get", "rpi4", "1.1.0", ...args, "--retries", "0");
    assert.equal(hostile.code, 3, hostile.stderr);
    assert.deepEqual(
      (await drover("image", "list", "rpi4", ...args)).json().versions,
      cached,
      "cache unchanged",
    );
    const partials = [...Deno.readDirSync(join(fx.cache, "partials"))].map((e) => e.name);
    assert.ok(partials.every((n) => n.endsWith(".lock")), `no delta leftovers: ${partials}`);

    flip = false;
    const before = server.requests.length;
    const got = await drover("image", "get", "rpi4", "1.1.0", ...args);
    assert.equal(got.code, 0, got.stderr);
    const reqs = server.requests.slice(before);
    assert.ok(!reqs.some((q) => q.path.endsWith(".img")), "the full image is not fetched");
    const packs = reqs.filter((q) => q.path.endsWith(".cpack"));
    assert.ok(packs.length > 0 && packs.every((q) => /^bytes=\d+-\d+$/.test(q.range ?? "")), "pack ranges");
    assert.ok(got.json().delta.fetched < 0.1 * SIZE, `fetched ${got.json().delta.fetched} of ${SIZE}`);
    assert.equal(got.json().sha256, sha(image(2)));
    assert.equal(
      sha(await Deno.readFile(got.json().path)),
      sha(image(2)),
      "the committed image is the signed one",
    );
    const again = await drover("image", "get", "rpi4", "1.1.0", ...args);
    assert.equal(again.json().fromCache, true);
  } finally {
    await Deno.remove(fx.tmp, { recursive: true });
  }
});

Deno.test("drover image get from a server that ignores Range fetches the new image in full, with a notice", async () => {
  const fx = await fixture();
  let ignoreRange = false;
  await using server = serveStatic(fx.repoDir, {
    intercept: async (req, path) => {
      if (!ignoreRange || !req.headers.get("range")) return undefined;
      return new Response(await Deno.readFile(join(fx.repoDir, path)), { status: 200 }); // Range ignored
    },
  });
  const args = ["--cache-dir", fx.cache, "--api", server.url.href, "--trusted-root", fx.root, "--json"];
  try {
    assert.equal((await drover("image", "get", "rpi4", "1.0.0", ...args)).code, 0);
    ignoreRange = true;
    const got = await drover("image", "get", "rpi4", "1.1.0", ...args);
    assert.equal(got.code, 0, got.stderr);
    assert.equal(got.json().delta, undefined, "in full");
    assert.equal(got.json().sha256, sha(image(2)));
    assert.match(
      got.stderr,
      /raspberrypi4-64: the server ignored Range for the delta pack \(HTTP 200\); downloading in full/,
    );
  } finally {
    await Deno.remove(fx.tmp, { recursive: true });
  }
});
