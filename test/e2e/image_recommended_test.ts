/**
 * End to end: what `recommended` means, the same on the device and the edge. A repository built by the
 * repo CLI (`add-image --recommended` on an older version) is served by the edge app over real HTTP on
 * 127.0.0.1; `drover image get|list` (in process) and the edge's `GET /v1/images/…` must agree.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { setAbilities } from "../../core/abilities.ts";
import { nodeAbilities } from "../../core/node.ts";
import { createApp } from "../../edge/app.ts";
import { FsStorage } from "../../edge/storage/fs_storage.ts";
import { runRepo } from "../../scripts/repo/main.ts";
import { droverInProcess as drover } from "./_drover_in_process.ts";

setAbilities(nodeAbilities);

async function repo(...args: string[]) {
  let err = "";
  const code = await runRepo(args, { stdout: () => {}, stderr: (t) => (err += t), env: {} });
  assert.equal(code, 0, `repo ${args[0]}: ${err}`);
}

/** rpi4: 2.88.4 (--recommended), 2.88.5, 2.89.0-beta.1, 2.88.5 dev; nuc: 1.0.0 (nothing flagged). */
async function buildRepo(tmp: string): Promise<{ repoDir: string; root: string }> {
  const r = join(tmp, "repo"), k = join(tmp, "keys");
  await repo("init", "--repo", r, "--keys", k);
  await repo("add-device-type", "--repo", r, "--keys", k, "--slug", "raspberrypi4-64", "--alias", "rpi4");
  await repo("add-device-type", "--repo", r, "--keys", k, "--slug", "nuc");
  const images: [string, string, ...string[]][] = [
    ["rpi4", "2.88.4", "--recommended"],
    ["rpi4", "2.88.5"],
    ["rpi4", "2.89.0-beta.1", "--prerelease"],
    ["rpi4", "2.88.5", "--variant", "dev"],
    ["nuc", "1.0.0"],
  ];
  for (const [type, version, ...extra] of images) {
    const file = join(tmp, `${type}-${version}${extra.join("")}.img`);
    await Deno.writeTextFile(file, `${type} ${version} ${extra.join(" ")}\n`.repeat(100));
    const args = ["--repo", r, "--keys", k, "--device-type", type, "--version", version, "--file", file];
    await repo("add-image", ...args, ...extra, "--no-chunks");
  }
  return { repoDir: r, root: join(r, "tuf", "1.root.json") };
}

interface Listed {
  version: string;
  variant?: string;
  variants?: string[];
  recommended: boolean;
}

Deno.test("image get recommended|default and image list agree with the edge on the signed recommendation", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "drover-image-recommended-" });
  const { repoDir, root } = await buildRepo(tmp);
  const app = createApp({ storage: new FsStorage(repoDir) });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  const api = `http://127.0.0.1:${server.addr.port}/`;
  const common = ["--api", api, "--trusted-root", root, "--cache-dir", join(tmp, "cache"), "--json"];
  const edgeList = async (type: string, variant = "") =>
    (await (await fetch(`${api}v1/images/${type}${variant}`)).json()).versions as Listed[];
  const edgeGet = async (path: string) => {
    const res = await fetch(`${api}v1/images/${path}`, { redirect: "manual" });
    await res.body?.cancel();
    return res.headers.get("x-drover-version");
  };
  try {
    for (const request of ["recommended", "default"]) {
      const got = await drover("image", "get", "rpi4", request, ...common);
      assert.equal(got.code, 0, got.stderr);
      assert.equal(got.json().version, "2.88.4", `${request}: the signed recommendation`);
      assert.equal(await edgeGet(`rpi4/${request}`), "2.88.4");
    }
    const dev = await drover("image", "get", "rpi4", "recommended", "--dev", ...common);
    assert.equal(dev.json().version, "2.88.5", "no dev image is flagged: the newest stable dev one");
    assert.equal(await edgeGet("rpi4/recommended?variant=dev"), "2.88.5");
    const nuc = await drover("image", "get", "nuc", "recommended", ...common);
    assert.equal(nuc.json().version, "1.0.0", "nothing flagged: the newest stable");

    const listed = await drover("image", "list", "rpi4", ...common);
    assert.equal(listed.code, 0, listed.stderr);
    const marked = (listed.json().versions as Listed[]).filter((v) => v.recommended);
    assert.deepEqual(marked.map((v) => `${v.version} ${v.variant}`), ["2.88.5 dev", "2.88.4 prod"]);
    for (const [type, variant] of [["rpi4", "prod"], ["rpi4", "dev"], ["nuc", "prod"]] as const) {
      const device = (await drover("image", "list", type, ...common)).json().versions as Listed[];
      const onDevice = device.filter((v) => v.variant === variant && v.recommended).map((v) => v.version);
      const edge = (await edgeList(type, variant === "dev" ? "?variant=dev" : "")).filter((v) =>
        v.recommended
      );
      assert.deepEqual(edge.map((v) => v.version), onDevice, `${type} ${variant}: edge and device agree`);
      assert.equal(onDevice.length, 1);
    }
    const text = await drover("image", "list", "rpi4", ...common.slice(0, -1));
    assert.match(text.stdout, /^2\.88\.4\tprod, recommended/m);
    assert.match(text.stdout, /^2\.88\.5\tprod(, cached)?\n/m, "the newer prod image is not recommended");
  } finally {
    await server.shutdown();
    await Deno.remove(tmp, { recursive: true });
  }
});
