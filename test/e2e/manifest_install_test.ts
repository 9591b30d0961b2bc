/**
 * End to end: device manifests written by `repo add-manifest`, resolved and installed by `drover manifest`
 * from real directories (bundle and repository layouts, a USB-style copy with no network) and a real HTTP
 * repository on 127.0.0.1.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { setAbilities } from "../../core/abilities.ts";
import { nodeAbilities } from "../../core/node.ts";
import { droverInProcess } from "./_drover_in_process.ts";
import { runRepo } from "../../scripts/repo/main.ts";
import { serveStatic } from "./static_server.ts";

setAbilities(nodeAbilities);

function bytesOf(seed: number, size: number): Uint8Array {
  const b = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) b[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  return b;
}
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const ART: Record<string, Uint8Array> = {
  "rootfs.img": bytesOf(1, 300_000),
  "boot.bin": bytesOf(2, 1_000),
  "sensor.fw": bytesOf(3, 150_000),
  "app.tar": bytesOf(4, 70_000),
};

async function repo(...args: string[]): Promise<string> {
  let out = "", err = "";
  const code = await runRepo(args, { stdout: (t) => (out += t), stderr: (t) => (err += t), env: {} });
  assert.equal(code, 0, `repo ${args[0]}: ${err}`);
  return out;
}

const body = (id: string, nodes: Record<string, string[]>, extra: Record<string, unknown> = {}) => ({
  type: "drover-manifest",
  kind: "install",
  target: "device",
  id,
  version: "1.0.0",
  deviceTypes: ["rpi4"],
  mode: "trusted",
  nodes: Object.fromEntries(Object.entries(nodes).map(([n, ids]) => [n, ids.map((aid) => ({ id: aid }))])),
  ...extra,
});

/** A repository with the chain app -> mid -> base (three manifests, four artifacts, two nodes). */
async function buildRepo(tmp: string) {
  const r = join(tmp, "repo"), k = join(tmp, "keys");
  await repo("init", "--repo", r, "--keys", k);
  for (const [id, bytes] of Object.entries(ART)) await Deno.writeFile(join(tmp, id), bytes);
  const add = async (m: Record<string, unknown>, artifacts: string[]) => {
    const file = join(tmp, `${m.id}.json`);
    await Deno.writeTextFile(file, JSON.stringify(m));
    return JSON.parse(
      await repo(
        "add-manifest",
        "--repo",
        r,
        "--keys",
        k,
        "--file",
        file,
        "--json",
        ...artifacts.flatMap((a) => ["--artifact", join(tmp, a)]),
      ),
    );
  };
  await add(body("base", { primary: ["rootfs.img", "boot.bin"] }), ["rootfs.img", "boot.bin"]);
  await add(body("mid", { sensor: ["sensor.fw"] }, { extends: "base" }), ["sensor.fw"]);
  const app = await add(body("app", { primary: ["app.tar"] }, { extends: "mid" }), ["app.tar"]);
  return { repoDir: r, root: join(r, "tuf", "1.root.json"), app };
}

/** The file of a target in the repository (consistent snapshot name). */
function targetFile(repoDir: string, dir: string, name: string): string {
  const d = join(repoDir, "targets", dir);
  const f = [...Deno.readDirSync(d)].find((e) => e.name.endsWith(`.${name}`));
  assert.ok(f, `${dir}/${name} in the repository`);
  return join(d, f.name);
}

/** A USB-style bundle: manifests/<id>.json and artifacts/<id> copied from the repository. */
async function bundle(
  repoDir: string,
  dir: string,
  manifests: string[],
  artifacts: Record<string, Uint8Array>,
) {
  await Deno.mkdir(join(dir, "manifests"), { recursive: true });
  await Deno.mkdir(join(dir, "artifacts"), { recursive: true });
  for (const id of manifests) {
    await Deno.copyFile(targetFile(repoDir, "manifests", `${id}.json`), join(dir, "manifests", `${id}.json`));
  }
  for (const [id, bytes] of Object.entries(artifacts)) {
    await Deno.writeFile(join(dir, "artifacts", id), bytes);
  }
}

/** The shared Range-capable static server, with its requests as "METHOD path" strings. */
function serveDir(dir: string) {
  const server = serveStatic(dir);
  return { server, base: server.url.href, hits: () => server.requests.map((r) => `${r.method} ${r.path}`) };
}

const drover = droverInProcess;

async function withFixture(
  fn: (f: { tmp: string; repoDir: string; root: string; app: Record<string, unknown> }) => Promise<void>,
) {
  const tmp = await Deno.makeTempDir({ prefix: "drover-manifest-e2e-" });
  try {
    await fn({ tmp, ...(await buildRepo(tmp)) });
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

const flip = (b: Uint8Array, at: number) => {
  const c = b.slice();
  c[at]! ^= 0xff;
  return c;
};

Deno.test("repo add-manifest fills size, sha256 and mini-hash from the files and signs the manifest", async () => {
  await withFixture(async ({ app, repoDir }) => {
    const a = (app.manifest as {
      nodes: { primary: { id: string; sha256: string; size: number; miniHash: string }[] };
    })
      .nodes.primary[0]!;
    assert.equal(a.sha256, sha(ART["app.tar"]!));
    assert.equal(a.size, 70_000);
    assert.match(a.miniHash, /^[0-9a-f]{64}$/);
    assert.deepEqual(app.targets, ["artifacts/app.tar", "manifests/app.json"]);
    const env = JSON.parse(await Deno.readTextFile(targetFile(repoDir, "manifests", "app.json")));
    assert.equal(env.signed.extends, "mid");
    assert.equal(env.signatures.length, 1);
  });
});

Deno.test("drover manifest installs a chain of three from two sources, one serving a corrupt copy", async () => {
  await withFixture(async ({ tmp, repoDir, root }) => {
    const usb = join(tmp, "usb");
    // the USB stick has the top manifest, a good rootfs, and a damaged sensor firmware (tail flipped)
    await bundle(repoDir, usb, ["app"], {
      "rootfs.img": ART["rootfs.img"]!,
      "sensor.fw": flip(ART["sensor.fw"]!, 149_999),
    });
    const { server, base, hits } = serveDir(repoDir);
    try {
      const dir = join(tmp, "installed");
      const args = [
        "--id",
        "app",
        "--source",
        usb,
        "--source",
        base,
        "--trusted-root",
        root,
        "--device-type",
        "rpi4",
      ];
      const plan = await drover("manifest", "plan", ...args, "--json");
      assert.equal(plan.code, 0, plan.stdout + plan.stderr);
      const p = plan.json();
      assert.deepEqual([p.command, p.ok, p.exitCode], ["manifest", true, 0]);
      assert.deepEqual(p.chain.map((m: { id: string }) => m.id), ["app", "mid", "base"]);
      const src = Object.fromEntries(p.entries.map((e: { id: string; source: string }) => [e.id, e.source]));
      assert.equal(src["rootfs.img"], `dir:${usb}`);
      assert.equal(src["sensor.fw"], base, "the corrupt USB copy is passed over");
      assert.equal(src["app"], `dir:${usb}`);

      const inst = await drover("manifest", "install", ...args, "--install-dir", dir, "--json");
      assert.equal(inst.code, 0, inst.stdout + inst.stderr);
      assert.deepEqual([inst.json().command, inst.json().ok, inst.json().exitCode], [
        "manifest",
        true,
        0,
      ]);
      for (const [id, bytes] of Object.entries(ART)) {
        assert.equal(sha(await Deno.readFile(join(dir, "artifacts", id))), sha(bytes));
      }
      assert.equal(
        sha(await Deno.readFile(join(dir, "nodes", "sensor", "sensor.fw"))),
        sha(ART["sensor.fw"]!),
      );
      const installed = JSON.parse(await Deno.readTextFile(join(dir, "installed.json")));
      assert.deepEqual(installed.chain, ["app", "mid", "base"]);
      assert.deepEqual(installed.nodes.sensor, ["sensor.fw"]);
      for (const m of ["app", "mid", "base"]) await Deno.stat(join(dir, "manifests", `${m}.json`));

      // installed artifacts are not fetched again
      server.requests.length = 0;
      const again = await drover("manifest", "install", ...args, "--install-dir", dir, "--json");
      assert.equal(again.code, 0, again.stdout);
      assert.equal(again.json().installed.fetched.length, 0);
      assert.equal(again.json().installed.skipped.length, 4);
      assert.equal(hits().filter((h) => h.startsWith("GET /targets/artifacts/")).length, 0);
    } finally {
      await server.close();
    }
  });
});

Deno.test("drover manifest installs offline from a USB copy of the repository (no network at all)", async () => {
  await withFixture(async ({ tmp, repoDir, root }) => {
    const usb = join(tmp, "usb-repo");
    await Deno.mkdir(usb);
    for (const sub of ["tuf", "targets"]) {
      const p = new Deno.Command("cp", { args: ["-R", join(repoDir, sub), usb] });
      assert.equal((await p.output()).code, 0);
    }
    const dir = join(tmp, "installed");
    const r = await drover(
      "manifest",
      "install",
      "--id",
      "app",
      "--source",
      usb,
      "--trusted-root",
      root,
      "--install-dir",
      dir,
      "--node",
      "primary",
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /installed app@1\.0\.0 .*4 fetched, 0 already installed, 1 staged for sensor/);
  });
});

Deno.test("drover manifest plan reports corrupt-only, missing and invalid outcomes with exit codes 3, 1, 3", async () => {
  await withFixture(async ({ tmp, repoDir, root }) => {
    const usb = join(tmp, "usb");
    await bundle(repoDir, usb, ["app", "mid", "base"], {
      "rootfs.img": flip(ART["rootfs.img"]!, 0),
      "boot.bin": ART["boot.bin"]!,
      "sensor.fw": ART["sensor.fw"]!,
    });
    const common = ["--source", usb, "--trusted-root", root];
    const corrupt = await drover("manifest", "plan", "--id", "app", ...common, "--json");
    assert.equal(corrupt.code, 3);
    const c = corrupt.json();
    assert.deepEqual([c.command, c.ok, c.exitCode], ["manifest", false, 3]);
    assert.deepEqual(c.corrupt, ["rootfs.img"]);
    assert.equal(c.invalid["rootfs.img"].code, "INVALID_MINI_HASH");
    assert.deepEqual(c.missing, ["app.tar"]);
    const dir = join(tmp, "installed");
    const inst = await drover("manifest", "install", "--id", "app", ...common, "--install-dir", dir);
    assert.equal(inst.code, 3);
    assert.match(inst.stderr, /nothing installed/);
    await assert.rejects(() => Deno.stat(join(dir, "installed.json")));

    await Deno.remove(join(usb, "manifests", "mid.json"));
    const missing = await drover("manifest", "plan", "--id", "app", ...common, "--json");
    assert.equal(missing.code, 1);
    assert.equal(missing.json().missingManifestId, "mid");
    assert.equal(missing.json().chainComplete, false);

    const wrongType = await drover(
      "manifest",
      "plan",
      "--id",
      "app",
      ...common,
      "--device-type",
      "jetson",
      "--json",
    );
    assert.equal(wrongType.code, 3);
    assert.equal(wrongType.json().invalid.app.code, "INCOMPATIBLE_DEVICE_TYPE");
    const text = await drover("manifest", "plan", "--id", "app", ...common, "--blocked", "app");
    assert.match(text.stdout, /BLOCKED_MANIFEST/);
  });
});

Deno.test("drover manifest refuses manifests signed by another repository's keys (INVALID_SIGNATURE)", async () => {
  await withFixture(async ({ tmp, repoDir }) => {
    const other = join(tmp, "other");
    await repo("init", "--repo", join(other, "repo"), "--keys", join(other, "keys"));
    const r = await drover(
      "manifest",
      "plan",
      "--file",
      targetFile(repoDir, "manifests", "app.json"),
      "--source",
      repoDir,
      "--trusted-root",
      join(other, "repo", "tuf", "1.root.json"),
      "--json",
    );
    assert.equal(r.code, 3);
    assert.equal(r.json().invalid.app.code, "INVALID_SIGNATURE");
    const noRoot = await drover("manifest", "plan", "--id", "app", "--source", repoDir);
    assert.equal(noRoot.code, 3);
    assert.match(noRoot.stderr, /trusted root/);
    // a whole-command failure names the command as its reports do: "manifest", whatever the action
    for (const action of ["plan", "install"]) {
      const doc = await drover(
        "manifest",
        action,
        "--id",
        "app",
        "--source",
        repoDir,
        "--install-dir",
        tmp,
        "--json",
      );
      assert.equal(doc.code, 3);
      assert.deepEqual([doc.json().command, doc.json().ok, doc.json().errors[0].code], [
        "manifest",
        false,
        "E_TRUST",
      ]);
    }
  });
});

Deno.test("drover manifest install checks the full sha256 and falls back to another source's copy", async () => {
  await withFixture(async ({ tmp, repoDir, root }) => {
    const usb = join(tmp, "usb");
    // damage in the middle: the mini-hash (head and tail) cannot see it, the full sha256 does
    await bundle(repoDir, usb, [], { "rootfs.img": flip(ART["rootfs.img"]!, 150_000) });
    const onlyUsb = join(tmp, "usb-only");
    await bundle(repoDir, onlyUsb, ["app", "mid", "base"], {
      ...ART,
      "rootfs.img": flip(ART["rootfs.img"]!, 150_000),
    });
    const dir = join(tmp, "installed");
    const alone = await drover(
      "manifest",
      "install",
      "--id",
      "app",
      "--source",
      onlyUsb,
      "--trusted-root",
      root,
      "--install-dir",
      dir,
    );
    assert.equal(alone.code, 3, alone.stderr);
    assert.match(alone.stderr, /rootfs\.img/);
    await assert.rejects(() => Deno.stat(join(dir, "artifacts", "rootfs.img")));
    const ok = await drover(
      "manifest",
      "install",
      "--id",
      "app",
      "--source",
      usb,
      "--source",
      repoDir,
      "--trusted-root",
      root,
      "--install-dir",
      dir,
      "--json",
    );
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.equal(sha(await Deno.readFile(join(dir, "artifacts", "rootfs.img"))), sha(ART["rootfs.img"]!));
    assert.deepEqual([...Deno.readDirSync(join(dir, ".tmp"))], [], "no temp file left");
  });
});

Deno.test("drover manifest plans from a bundle served over HTTP (HEAD sizes, Range mini-hash reads)", async () => {
  await withFixture(async ({ tmp, repoDir, root }) => {
    const web = join(tmp, "web");
    await bundle(repoDir, web, ["app", "mid", "base"], ART);
    const { server, base, hits } = serveDir(web);
    try {
      const r = await drover(
        "manifest",
        "plan",
        "--id",
        "app",
        "--source",
        base,
        "--trusted-root",
        root,
        "--json",
      );
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(r.json().available.length, 7);
      assert.ok(hits().includes("HEAD /artifacts/rootfs.img"));
      assert.equal(
        hits().filter((h) => h === "GET /artifacts/rootfs.img").length,
        2,
        "head and tail reads only",
      );
    } finally {
      await server.close();
    }
  });
});
