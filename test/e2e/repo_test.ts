/**
 * End to end: the repository CLI (`scripts/repo.ts`) run as real processes on real temp dirs,
 * and the repository it builds served over real HTTP on 127.0.0.1 to a standard TUF client
 * (npm tuf-js) and to Drover's own refreshTrust.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { packTar } from "modern-tar";
import { Updater } from "tuf-js";
import { setAbilities } from "../../core/abilities.ts";
import { nodeAbilities } from "../../core/node.ts";
import { MemoryStore, refreshTrust } from "../../core/trust/mod.ts";
import { runRepo } from "../harness.ts";

setAbilities(nodeAbilities);
const repo = (...args: string[]) => runRepo(args);

/** Serve `dir` read-only on 127.0.0.1 (port 0); counts requests by path. */
function serve(dir: string) {
  const hits: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    hits.push(path);
    if (path.split("/").includes("..")) return new Response("bad", { status: 400 });
    try {
      return new Response(await Deno.readFile(join(dir, path)));
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  return { server, hits, base: `http://127.0.0.1:${server.addr.port}` };
}

async function withTemp(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "drover-repo-e2e-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("repo CLI builds a repository that tuf-js refreshes and downloads from, and refreshTrust agrees", async () => {
  await withTemp(async (tmp) => {
    const r = join(tmp, "repo"), k = join(tmp, "keys");
    const init = await repo("init", "--repo", r, "--keys", k, "--json");
    assert.equal(init.code, 0, init.stderr);
    const keyids = JSON.parse(init.stdout).keyids;
    assert.equal(Object.keys(keyids).length, 4);
    for (const role of ["root", "targets", "snapshot", "timestamp"]) {
      assert.equal((await Deno.stat(join(k, `${role}.json`))).mode! & 0o777, 0o600, role);
    }

    assert.equal(
      (await repo(
        "add-device-type",
        "--repo",
        r,
        "--keys",
        k,
        "--slug",
        "raspberrypi4-64",
        "--alias",
        "rpi4",
      )).code,
      0,
    );
    // gzip: add-app names the target by the content's magic bytes, and only gzip is listed for legacy clients
    const body = new Uint8Array(300_000).map((_, i) => (i * 7) & 0xff);
    const archive = new Uint8Array(
      gzipSync(await packTar([{ header: { name: "data.bin", size: body.length }, body }])),
    );
    await Deno.writeFile(join(tmp, "radio.tar.gz"), archive);
    const app = await repo(
      "add-app",
      "--repo",
      r,
      "--keys",
      k,
      "--name",
      "acme/radio",
      "--ref",
      "main",
      "--commit",
      "0123abcd",
      "--file",
      join(tmp, "radio.tar.gz"),
      "--version",
      "1.0.0",
      "--json",
    );
    assert.equal(app.code, 0, app.stderr);
    const appTarget = JSON.parse(app.stdout).target;
    assert.equal(appTarget.hashes.sha256, createHash("sha256").update(archive).digest("hex"));
    assert.equal(appTarget.hashes.sha1, createHash("sha1").update(archive).digest("hex"));
    assert.equal(appTarget.custom.serial, 1);
    await Deno.writeFile(join(tmp, "os.img"), new TextEncoder().encode("image bytes"));
    const img = await repo(
      "add-image",
      "--repo",
      r,
      "--keys",
      k,
      "--device-type",
      "rpi4",
      "--version",
      "2.1.0",
      "--variant",
      "dev",
      "--file",
      join(tmp, "os.img"),
      "--json",
    );
    assert.equal(img.code, 0, img.stderr);
    assert.equal(JSON.parse(img.stdout).target.custom.deviceType, "raspberrypi4-64");
    await Deno.writeFile(join(tmp, "os.img"), new TextEncoder().encode("other bytes"));
    const again = await repo(
      "add-image",
      "--repo",
      r,
      "--keys",
      k,
      "--device-type",
      "raspberrypi4-64",
      "--version",
      "2.1.0",
      "--variant",
      "dev",
      "--file",
      join(tmp, "os.img"),
    );
    assert.equal(again.code, 1, "an image version is immutable");
    assert.match(again.stderr, /already exists with other content/);

    const releases = JSON.parse(await Deno.readTextFile(join(r, "releases.json")));
    assert.equal(releases["acme/radio"].main.commit, "0123abcd");
    assert.equal(releases["acme/radio"].main.size, archive.length);
    assert.deepEqual(await Deno.readFile(join(r, releases["acme/radio"].main.file)), archive);

    const { server, base, hits } = serve(r);
    try {
      const meta = join(tmp, "tufjs-meta"), dl = join(tmp, "tufjs-targets");
      await Deno.mkdir(meta);
      await Deno.mkdir(dl);
      await Deno.copyFile(join(r, "tuf/1.root.json"), join(meta, "root.json"));
      const updater = new Updater({
        metadataDir: meta,
        metadataBaseUrl: `${base}/tuf`,
        targetDir: dl,
        targetBaseUrl: `${base}/targets`,
        config: { fetchRetries: 0, fetchTimeout: 0 },
      });
      await updater.refresh().catch((e) => {
        throw new Error(`tuf-js refresh failed after ${hits.join(" ")}`, { cause: e });
      });
      const info = await updater.getTargetInfo("apps/acme/radio/main/0123abcd.tar.gz");
      assert.ok(info, "tuf-js finds the app target");
      assert.equal((info.custom as { commit: string }).commit, "0123abcd");
      const file = await updater.downloadTarget(info, join(dl, "radio.tar.gz"));
      assert.deepEqual(await Deno.readFile(file), archive);

      const trusted = await refreshTrust({
        fetch: async (path) => {
          const res = await fetch(`${base}/${path}`);
          if (res.status === 404) return (await res.body?.cancel(), undefined);
          return new Uint8Array(await res.arrayBuffer());
        },
        store: new MemoryStore(),
        trustedRoot: await Deno.readFile(join(r, "tuf/1.root.json")),
      });
      assert.equal(trusted.findApp("acme/radio", "main")?.hashes.sha256, appTarget.hashes.sha256);
      assert.equal(trusted.images("raspberrypi4-64").length, 1);
      const dtRes = await fetch(`${base}/${trusted.deviceTypesTarget().url}`);
      const types = trusted.deviceTypes(new Uint8Array(await dtRes.arrayBuffer()));
      assert.deepEqual(types, [{ slug: "raspberrypi4-64", aliases: ["rpi4"] }]);
    } finally {
      await server.shutdown();
    }
  });
});

Deno.test("repo CLI refuses to overwrite keys, rejects unsafe names with exit 2 and writes nothing outside --repo", async () => {
  await withTemp(async (tmp) => {
    const r = join(tmp, "repo"), k = join(tmp, "keys");
    assert.equal((await repo("init", "--repo", r, "--keys", k)).code, 0);
    const before = await Deno.readTextFile(join(k, "root.json"));
    const again = await repo("init", "--repo", join(tmp, "other"), "--keys", k, "--json");
    assert.equal(again.code, 1);
    assert.match(JSON.parse(again.stdout).errors[0].message, /never overwritten/);
    assert.equal(await Deno.readTextFile(join(k, "root.json")), before);

    await Deno.writeFile(join(tmp, "a.tar"), new Uint8Array(10));
    const base = ["add-app", "--repo", r, "--keys", k, "--file", join(tmp, "a.tar")];
    const res = await repo(...base, "--name", "../x", "--ref", "main", "--commit", "0123abc");
    assert.equal(res.code, 2, res.stderr);
    assert.equal((await repo("add-app", "--repo", r, "--keys", k, "--bogus")).code, 2);
    assert.equal(
      (await repo(
        "add-image",
        "--repo",
        r,
        "--keys",
        k,
        "--device-type",
        "nope",
        "--version",
        "1.0.0",
        "--file",
        join(tmp, "a.tar"),
      )).code,
      2,
    );
    const entries = [];
    for await (const e of Deno.readDir(tmp)) entries.push(e.name);
    assert.deepEqual(entries.sort(), ["a.tar", "keys", "repo"]);
    await assert.rejects(Deno.stat(join(r, "targets")), Deno.errors.NotFound);

    const help = await repo("add-app", "--help");
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--allow-downgrade/);
    assert.equal((await repo()).code, 2);
  });
});

Deno.test("repo add-app assigns rising serials per name and ref; timestamp and rotate-key keep the repository valid", async () => {
  await withTemp(async (tmp) => {
    const r = join(tmp, "repo"), k = join(tmp, "keys");
    assert.equal((await repo("init", "--repo", r, "--keys", k, "--expires-days", "0")).code, 2);
    assert.equal((await repo("init", "--repo", r, "--keys", k, "--expires-days", "30")).code, 0);
    const rootV1 = await Deno.readFile(join(r, "tuf/1.root.json"));
    const expires = Date.parse(JSON.parse(new TextDecoder().decode(rootV1)).signed.expires);
    assert.ok(Math.abs(expires - Date.now() - 30 * 86_400_000) < 3_600_000, "root expires in 30 days");
    await Deno.writeFile(join(tmp, "a.tar"), new Uint8Array(1024)); // an empty tar (two end blocks)
    for (const commit of ["aaaaaaa", "bbbbbbb"]) {
      const res = await repo(
        "add-app",
        "--repo",
        r,
        "--keys",
        k,
        "--name",
        "o/a",
        "--ref",
        "main",
        "--commit",
        commit,
        "--file",
        join(tmp, "a.tar"),
      );
      assert.equal(res.code, 0, res.stderr);
    }
    const ts = await repo("timestamp", "--repo", r, "--keys", k, "--json");
    assert.equal(ts.code, 0, ts.stderr);
    const rot = await repo("rotate-key", "--repo", r, "--keys", k, "--role", "snapshot", "--json");
    assert.equal(rot.code, 0, rot.stderr);
    assert.equal(JSON.parse(rot.stdout).versions.root, 2);
    assert.equal((await Deno.stat(join(k, "snapshot.json"))).mode! & 0o777, 0o600);
    const trusted = await refreshTrust({
      fetch: async (path) => await Deno.readFile(join(r, path)).catch(() => undefined),
      store: new MemoryStore(),
      trustedRoot: rootV1,
    });
    assert.equal(trusted.versions.root, 2);
    assert.equal((trusted.findApp("o/a", "main")?.custom as { commit: string }).commit, "bbbbbbb");
  });
});
