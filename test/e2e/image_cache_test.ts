/**
 * End to end: `drover image` against a real signed repository (built by the repo CLI) served over real HTTP
 * on 127.0.0.1, with real cache directories: resolution, the verified cache, no network for cached exact
 * versions, offline fallback, corrupt entries, resume, LRU budget, and two processes racing.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { setAbilities } from "../../core/abilities.ts";
import { IntegrityError } from "../../core/errors.ts";
import { nodeAbilities } from "../../core/node.ts";
import { droverInProcess } from "./_drover_in_process.ts";
import { getImage, ImageCache } from "../../device/image/image_cache.ts";
import { runRepo } from "../../scripts/repo/main.ts";

setAbilities(nodeAbilities);
const CLI = new URL("../../device/drover.ts", import.meta.url).pathname;
const SIZE = 200_000;

function bytesOf(seed: number, size = SIZE): Uint8Array {
  const b = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) b[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  return b;
}
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const IMAGES: Record<string, Uint8Array> = {
  "1.0.0": bytesOf(1),
  "1.1.0": bytesOf(2),
  "2.0.0-beta.1": bytesOf(3),
};
const DEV_IMAGE = bytesOf(4);

async function repo(...args: string[]) {
  let err = "";
  const code = await runRepo(args, { stdout: () => {}, stderr: (t) => (err += t), env: {} });
  assert.equal(code, 0, `repo ${args[0]}: ${err}`);
}

/** A signed repository with device type raspberrypi4-64 (alias rpi4) and three prod images. */
async function buildRepo(tmp: string): Promise<{ repoDir: string; root: string }> {
  const r = join(tmp, "repo"), k = join(tmp, "keys");
  await repo("init", "--repo", r, "--keys", k);
  await repo("add-device-type", "--repo", r, "--keys", k, "--slug", "raspberrypi4-64", "--alias", "rpi4");
  for (const [version, bytes] of Object.entries(IMAGES)) {
    const file = join(tmp, `os-${version}.img`);
    await Deno.writeFile(file, bytes);
    const extra = version === "1.1.0" ? ["--recommended"] : [];
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
      ...extra,
    );
  }
  const dev = join(tmp, "os-1.0.0-dev.img");
  await Deno.writeFile(dev, DEV_IMAGE);
  await repo(
    "add-image",
    "--repo",
    r,
    "--keys",
    k,
    "--device-type",
    "rpi4",
    "--version",
    "1.0.0",
    "--variant",
    "dev",
    "--file",
    dev,
  );
  return { repoDir: r, root: join(r, "tuf", "1.root.json") };
}

interface Hit {
  method: string;
  path: string;
  range: string | null;
}

/** Serves `dir` on 127.0.0.1:0 with Range and HEAD; `cut` truncates the next N image bodies mid-way. */
function serveDir(dir: string, options: { cutImages?: number; slow?: boolean } = {}) {
  const hits: Hit[] = [];
  let cuts = options.cutImages ?? 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    hits.push({ method: req.method, path, range: req.headers.get("range") });
    if (path.split("/").includes("..")) return new Response("bad", { status: 400 });
    let data: Uint8Array;
    try {
      data = await Deno.readFile(join(dir, path));
    } catch {
      return new Response("not found", { status: 404 });
    }
    const m = /^bytes=(\d+)-$/.exec(req.headers.get("range") ?? "");
    const start = m ? Math.min(Number(m[1]), data.length) : 0;
    const headers = { "content-length": String(data.length - start) } as Record<string, string>;
    if (m) headers["content-range"] = `bytes ${start}-${data.length - 1}/${data.length}`;
    if (req.method === "HEAD") return new Response(null, { status: 200, headers });
    const body = data.subarray(start);
    const isImage = path.startsWith("/targets/images/");
    const cut = isImage && cuts > 0 ? (cuts--, Math.floor(body.length / 2)) : -1;
    let at = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(c) {
        if (cut >= 0 && at >= cut) return c.close(); // short body: the client sees the connection end early
        if (at >= body.length) return c.close();
        if (options.slow && isImage) await new Promise((r) => setTimeout(r, 60));
        const end = Math.min(body.length, at + 16384, cut >= 0 ? cut : Infinity);
        c.enqueue(body.slice(at, end));
        at = end;
      },
    });
    return new Response(stream, { status: m ? 206 : 200, headers });
  });
  return { server, hits, base: `http://127.0.0.1:${server.addr.port}/` };
}

async function withFixture(
  fn: (f: { tmp: string; repoDir: string; root: string; cache: string }) => Promise<void>,
) {
  const tmp = await Deno.makeTempDir({ prefix: "drover-image-e2e-" });
  try {
    const { repoDir, root } = await buildRepo(tmp);
    await fn({ tmp, repoDir, root, cache: join(tmp, "cache") });
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

const drover = droverInProcess;

/** `--cache-dir`, `--api`, `--trusted-root`, `--json`, no retries: what most image tests pass. */
const jsonArgs = (o: { cache: string; base: string; root: string }) => [
  "--cache-dir",
  o.cache,
  "--api",
  o.base,
  "--trusted-root",
  o.root,
  "--json",
  "--retries",
  "0",
];

/** Flips one byte of a file in place: same size, so only a hash can tell. */
async function flipByte(path: string, at = SIZE / 2) {
  const bytes = await Deno.readFile(path);
  bytes[at]! ^= 0x01;
  await Deno.writeFile(path, bytes);
}

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

const imageHits = (hits: Hit[]) =>
  hits.filter((h) => h.method === "GET" && h.path.startsWith("/targets/images/"));

Deno.test("drover image get resolves latest, recommended, ranges and aliases, and writes --output", async () => {
  await withFixture(async ({ tmp, root, repoDir, cache }) => {
    const { server, base, hits } = serveDir(repoDir);
    try {
      const common = jsonArgs({ cache, base, root });
      const latest = await drover("image", "get", "rpi4", ...common);
      assert.equal(latest.code, 0, latest.stderr);
      assert.equal(latest.json().version, "2.0.0-beta.1");
      // the envelope every --json document has
      assert.deepEqual([latest.json().command, latest.json().ok, latest.json().exitCode], ["image", true, 0]);
      assert.equal(latest.json().deviceType, "raspberrypi4-64");
      assert.equal(latest.json().sha256, sha(IMAGES["2.0.0-beta.1"]!));
      assert.equal(latest.json().fromCache, false);
      const rec = await drover("image", "get", "raspberrypi4-64", "recommended", ...common);
      assert.equal(rec.json().version, "1.1.0");
      const range = await drover("image", "get", "rpi4", "~1.0", ...common);
      assert.equal(range.json().version, "1.0.0");
      const out = join(tmp, "out.img");
      const written = await drover("image", "get", "rpi4", "1.1.0", "--output", out, ...common);
      assert.equal(written.code, 0, written.stderr);
      assert.equal(written.json().fromCache, true);
      assert.deepEqual(await Deno.readFile(out), IMAGES["1.1.0"]);
      // an --output nowhere to write: a clear error, exit 1, nothing fetched (checked before the download)
      const before = imageHits(hits).length;
      const nowhere = [
        [join(tmp, "nonexist/dir/out.img"), "E_NOT_FOUND", /: directory .*nonexist\/dir does not exist$/],
        [join(tmp, "out.img/x.img"), "E_NOT_FOUND", /: .*out\.img is not a directory$/],
        [tmp, "E_FAILURE", /: it is a directory$/],
      ] as const;
      for (const [bad, code, detail] of nowhere) {
        const r = await drover("image", "get", "rpi4", "1.0.0", "--output", bad, ...common);
        assert.equal(r.code, 1, r.stdout);
        const error = r.json().errors[0];
        assert.equal(error.code, code, bad);
        assert.ok(error.message.startsWith(`Cannot write the image to ${bad}: `), error.message);
        assert.match(error.message, detail);
        assert.doesNotMatch(error.message, /ENOENT|ENOTDIR|EISDIR|\.tmp-/);
      }
      const text = await drover(
        "image",
        "get",
        "rpi4",
        "--output",
        join(tmp, "nonexist/out.img"),
        "--cache-dir",
        cache,
      );
      assert.equal(text.code, 1);
      assert.match(text.stderr, /^drover image: Cannot write the image to .*nonexist\/out\.img: directory /);
      assert.equal(imageHits(hits).length, before, "no image fetched for an --output that cannot be written");
      const dev = await drover("image", "get", "rpi4", "--dev", ...common);
      assert.equal(dev.code, 0, dev.stderr);
      assert.equal(dev.json().variant, "dev");
      assert.equal(dev.json().version, "1.0.0");
      assert.equal(dev.json().sha256, sha(DEV_IMAGE));
      const prod = await drover("image", "get", "rpi4", "1.0.0", ...common);
      assert.equal(prod.json().sha256, sha(IMAGES["1.0.0"]!), "the cache is keyed by variant too");
      assert.notEqual(prod.json().path, dev.json().path);
      const missing = await drover("image", "get", "rpi4", "9.9.9", ...common);
      assert.equal(missing.code, 1);
      const bad = await drover("image", "get", "rpi4", "not a range!", ...common);
      assert.equal(bad.code, 2);
      const list = await drover("image", "list", "rpi4", ...common);
      assert.equal(list.code, 0, list.stderr);
      const all = list.json().versions;
      assert.deepEqual([list.json().command, list.json().ok, list.json().exitCode], ["image", true, 0]);
      assert.equal(all.filter((v: { variant: string }) => v.variant === "dev").length, 1);
      const versions = all.filter((v: { variant: string }) => v.variant === "prod");
      assert.deepEqual(versions.map((v: { version: string }) => v.version), [
        "2.0.0-beta.1",
        "1.1.0",
        "1.0.0",
      ]);
      assert.equal(versions[0].prerelease, true);
      assert.equal(versions[1].recommended, true);
      assert.equal(versions[1].cached, true);
    } finally {
      await server.shutdown();
    }
  });
});

Deno.test("drover image get serves a cached exact version with the server stopped (no request at all)", async () => {
  await withFixture(async ({ root, repoDir, cache }) => {
    const { server, base, hits } = serveDir(repoDir);
    const common = ["--cache-dir", cache, "--api", base, "--trusted-root", root, "--json", "--retries", "0"];
    const first = await drover("image", "get", "rpi4", "1.0.0", ...common);
    assert.equal(first.code, 0, first.stderr);
    await server.shutdown();
    const n = hits.length;
    const again = await drover("image", "get", "rpi4", "1.0.0", ...common);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.json().fromCache, true);
    assert.equal(hits.length, n);
    const cached = await Deno.readFile(again.json().path);
    assert.equal(sha(cached), sha(IMAGES["1.0.0"]!));
    const uncached = await drover("image", "get", "rpi4", "1.1.0", ...common);
    assert.equal(uncached.code, 75, "not cached and offline: try later");
  });
});

Deno.test("drover image get latest falls back to the cache with a warning when offline", async () => {
  await withFixture(async ({ root, repoDir, cache }) => {
    const { server, base } = serveDir(repoDir);
    const common = ["--cache-dir", cache, "--api", base, "--trusted-root", root, "--json", "--retries", "0"];
    assert.equal((await drover("image", "get", "rpi4", "recommended", ...common)).code, 0);
    await server.shutdown();
    const offline = await drover("image", "get", "rpi4", "latest", ...common);
    assert.equal(offline.code, 0, offline.stderr);
    assert.equal(offline.json().version, "1.1.0");
    assert.equal(offline.json().fromCache, true);
    assert.match(offline.stderr, /warning: offline/);
  });
});

Deno.test("drover image get drops a corrupt cache entry and fetches it again", async () => {
  await withFixture(async ({ root, repoDir, cache }) => {
    const { server, base, hits } = serveDir(repoDir);
    try {
      const common = jsonArgs({ cache, base, root });
      const first = (await drover("image", "get", "rpi4", "1.0.0", ...common)).json();
      // same size, other bytes: only a full re-hash (--verify) sees it
      await Deno.writeFile(first.path, bytesOf(99));
      const verified = await drover("image", "get", "rpi4", "1.0.0", "--verify", ...common);
      assert.equal(verified.code, 0, verified.stderr);
      assert.equal(verified.json().fromCache, false);
      assert.match(verified.stderr, /corrupt/);
      assert.equal(sha(await Deno.readFile(verified.json().path)), first.sha256);
      // truncated: the size check sees it without --verify
      await Deno.truncate(first.path, 1000);
      const again = await drover("image", "get", "rpi4", "1.0.0", ...common);
      assert.equal(again.json().fromCache, false);
      assert.equal(sha(await Deno.readFile(again.json().path)), first.sha256);
      assert.equal(imageHits(hits).length, 3);
    } finally {
      await server.shutdown();
    }
  });
});

Deno.test("drover image get verifies a cached image as it reads it: a flipped byte is fetched again", async () => {
  await withFixture(async ({ tmp, root, repoDir, cache }) => {
    const { server, base, hits } = serveDir(repoDir);
    try {
      const common = jsonArgs({ cache, base, root });
      const first = (await drover("image", "get", "rpi4", "1.0.0", ...common)).json();
      await flipByte(first.path);
      const out = join(tmp, "out.img");
      const written = await drover("image", "get", "rpi4", "1.0.0", "--output", out, ...common);
      assert.equal(written.code, 0, written.stderr);
      assert.match(written.stderr, /cached raspberrypi4-64 1\.0\.0 \(prod\) is corrupt: dropped/);
      assert.equal(written.json().fromCache, false, "fetched again");
      assert.deepEqual(await Deno.readFile(out), IMAGES["1.0.0"]);
      assert.equal(sha(await Deno.readFile(first.path)), first.sha256, "the cache holds good bytes again");
      // without --output the printed path is read through first, so it names a verified file
      await flipByte(first.path, 7);
      const path = await drover("image", "get", "rpi4", "1.0.0", ...common);
      assert.equal(path.code, 0, path.stderr);
      assert.equal(path.json().fromCache, false);
      assert.equal(sha(await Deno.readFile(path.json().path)), first.sha256);
      assert.equal(imageHits(hits).length, 3);
    } finally {
      await server.shutdown();
    }
  });
});

Deno.test("drover image get exits 3 offline on a corrupt cached image and drops the entry", async () => {
  await withFixture(async ({ tmp, root, repoDir, cache }) => {
    const { server, base } = serveDir(repoDir);
    const common = jsonArgs({ cache, base, root });
    const first = (await drover("image", "get", "rpi4", "1.0.0", ...common)).json();
    await drover("image", "get", "rpi4", "1.1.0", ...common);
    await server.shutdown();
    await flipByte(first.path);
    const out = join(tmp, "out.img");
    const r = await drover("image", "get", "rpi4", "1.0.0", "--output", out, ...common);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /corrupt/);
    assert.equal(await exists(out), false, "no output file from bad bytes");
    assert.equal(await exists(first.path), false, "the bad entry is gone");
    const left = await new ImageCache({ cacheDir: cache }).listCache();
    assert.deepEqual(left.map((e) => e.version), ["1.1.0"]);
    // the next offline get of it: not cached any more, try later
    assert.equal((await drover("image", "get", "rpi4", "1.0.0", ...common)).code, 75);
    // without --output, and with a range that only the corrupt entry matches: exit 3 as well
    const again = (await drover("image", "get", "rpi4", "1.1.0", ...common)).json();
    await flipByte(again.path);
    const ranged = await drover("image", "get", "rpi4", "~1.1", ...common);
    assert.equal(ranged.code, 3, ranged.stderr);
    assert.equal(await exists(again.path), false);
  });
});

Deno.test("getImage() streams a corrupt cached image to an IntegrityError and drops it; the next get fetches it", async () => {
  await withFixture(async ({ root, repoDir, cache }) => {
    const { server, base } = serveDir(repoDir);
    try {
      const options = { cacheDir: cache, api: base, trustedRoot: root, fetch: { retries: 0 } };
      const first = await getImage("rpi4", "1.0.0", options);
      await first.stream.pipeTo(new WritableStream());
      await flipByte(first.path);
      const cached = await getImage("rpi4", "1.0.0", options);
      assert.equal(cached.fromCache, true);
      await assert.rejects(cached.stream.pipeTo(new WritableStream()), IntegrityError);
      assert.equal(await exists(cached.path), false, "dropped before the stream errored");
      const fresh = await getImage("rpi4", "1.0.0", options);
      assert.equal(fresh.fromCache, false);
      assert.deepEqual(new Uint8Array(await new Response(fresh.stream).arrayBuffer()), IMAGES["1.0.0"]);
    } finally {
      await server.shutdown();
    }
  });
});

Deno.test("drover image get resumes an interrupted download with Range", async () => {
  await withFixture(async ({ root, repoDir, cache }) => {
    const { server, base, hits } = serveDir(repoDir, { cutImages: 1 });
    try {
      const common = jsonArgs({ cache, base, root });
      const cut = await drover("image", "get", "rpi4", "1.0.0", ...common);
      assert.equal(cut.code, 75, "interrupted: try later");
      const partials = [...Deno.readDirSync(join(cache, "partials"))].map((e) => e.name);
      assert.ok(partials.some((n) => n.endsWith(".part")), partials.join());
      const resumed = await drover("image", "get", "rpi4", "1.0.0", ...common);
      assert.equal(resumed.code, 0, resumed.stderr);
      const gets = imageHits(hits);
      assert.equal(gets.length, 2);
      assert.equal(gets[1]!.range, `bytes=${SIZE / 2}-`);
      assert.equal(sha(await Deno.readFile(resumed.json().path)), sha(IMAGES["1.0.0"]!));
    } finally {
      await server.shutdown();
    }
  });
});

Deno.test("ImageCache evicts the least recently used images beyond the budget and sweeps orphans", async () => {
  await withFixture(async ({ root, repoDir, cache }) => {
    const { server, base } = serveDir(repoDir);
    try {
      const c = new ImageCache({
        cacheDir: cache,
        api: base,
        trustedRoot: root,
        maxBytes: 2 * SIZE,
        fetch: { retries: 0 },
      });
      for (const v of ["1.0.0", "1.1.0"]) await (await c.get("rpi4", v)).stream.cancel();
      await (await c.get("rpi4", "1.0.0")).stream.cancel(); // 1.0.0 is now the most recently used
      await Deno.writeFile(
        join(cache, "images", "raspberrypi4-64", "1.0.0", "prod", "stray.tmp"),
        new Uint8Array(3),
      );
      await (await c.get("rpi4", "2.0.0-beta.1")).stream.cancel();
      const left = (await c.listCache()).map((e) => e.version).sort();
      assert.deepEqual(left, ["1.0.0", "2.0.0-beta.1"]);
      const names = [...Deno.readDirSync(join(cache, "images", "raspberrypi4-64", "1.0.0", "prod"))].map((
        e,
      ) => e.name);
      assert.equal(names.includes("stray.tmp"), false);
      assert.equal(await c.cleanCache(), 2);
      assert.deepEqual(await c.listCache(), []);
    } finally {
      await server.shutdown();
    }
  });
});

Deno.test("ImageCache shares one download between concurrent gets in a process", async () => {
  await withFixture(async ({ root, repoDir, cache }) => {
    const { server, base, hits } = serveDir(repoDir, { slow: true });
    try {
      const c = new ImageCache({ cacheDir: cache, api: base, trustedRoot: root, fetch: { retries: 0 } });
      const got = await Promise.all([c.get("rpi4", "1.1.0"), c.get("raspberrypi4-64", "recommended")]);
      for (const g of got) await g.stream.cancel();
      assert.equal(got[0]!.sha256, got[1]!.sha256);
      assert.equal(imageHits(hits).length, 1);
    } finally {
      await server.shutdown();
    }
  });
});

Deno.test("two drover processes getting the same image download it once and both succeed", async () => {
  await withFixture(async ({ root, repoDir, cache }) => {
    const { server, base, hits } = serveDir(repoDir, { slow: true });
    try {
      const run = () =>
        new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "-A",
            "--quiet",
            CLI,
            "image",
            "get",
            "rpi4",
            "1.1.0",
            "--cache-dir",
            cache,
            "--api",
            base,
            "--trusted-root",
            root,
            "--json",
            "--retries",
            "0",
          ],
          stdout: "piped",
          stderr: "piped",
          stdin: "null",
        }).output();
      const [a, b] = await Promise.all([run(), run()]);
      const dec = new TextDecoder();
      assert.equal(a.code, 0, dec.decode(a.stderr));
      assert.equal(b.code, 0, dec.decode(b.stderr));
      const ja = JSON.parse(dec.decode(a.stdout)), jb = JSON.parse(dec.decode(b.stdout));
      assert.equal(ja.sha256, sha(IMAGES["1.1.0"]!));
      assert.equal(jb.path, ja.path);
      assert.equal(imageHits(hits).length, 1, "one download");
      assert.deepEqual(
        [ja.fromCache, jb.fromCache].sort(),
        [false, true],
        "the other one used the cached copy",
      );
      assert.equal(sha(await Deno.readFile(ja.path)), ja.sha256);
    } finally {
      await server.shutdown();
    }
  });
});

Deno.test("drover image refuses to resolve without a trusted root (exit 3) and clean-cache empties the cache", async () => {
  await withFixture(async ({ repoDir, cache }) => {
    const { server, base } = serveDir(repoDir);
    try {
      const r = await drover("image", "get", "rpi4", "--cache-dir", cache, "--api", base, "--retries", "0");
      assert.equal(r.code, 3);
      assert.match(r.stderr, /trusted root/);
      const clean = await drover("image", "clean-cache", "--cache-dir", cache, "--json");
      assert.equal(clean.code, 0);
      assert.deepEqual(clean.json(), { command: "image", ok: true, exitCode: 0, removed: 0 });
    } finally {
      await server.shutdown();
    }
  });
});

Deno.test("drover image get --output - writes the image bytes to stdout, a corrupt cached one fetched first (a real process)", async () => {
  await withFixture(async ({ root, repoDir, cache }) => {
    const { server, base } = serveDir(repoDir);
    try {
      const run = () =>
        new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "-A",
            "--quiet",
            CLI,
            "image",
            "get",
            "raspberrypi4-64",
            "1.0.0",
            "--output",
            "-",
            "--cache-dir",
            cache,
            "--api",
            base,
            "--trusted-root",
            root,
            "--retries",
            "0",
          ],
          stdout: "piped",
          stderr: "piped",
          stdin: "null",
        }).output();
      const out = await run();
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      assert.equal(out.stdout.length, SIZE);
      assert.equal(sha(out.stdout), sha(IMAGES["1.0.0"]!));
      const sha1000 = sha(IMAGES["1.0.0"]!);
      await flipByte(join(cache, "images", "raspberrypi4-64", "1.0.0", "prod", `${sha1000}.img`));
      const again = await run();
      assert.equal(again.code, 0, new TextDecoder().decode(again.stderr));
      assert.match(new TextDecoder().decode(again.stderr), /corrupt/);
      assert.equal(sha(again.stdout), sha1000, "stdout has only good bytes");
    } finally {
      await server.shutdown();
    }
  });
});
