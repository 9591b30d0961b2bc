import assert from "node:assert/strict";
import { createApp } from "../app.ts";
import { createDevRepository, type DevImage } from "../dev_repository.ts";
import { FsStorage } from "../storage/fs_storage.ts";

const image = (version: string, extra: Partial<DevImage> = {}, deviceType = "raspberrypi4-64"): DevImage => ({
  deviceType,
  version,
  bytes: new TextEncoder().encode(`image ${deviceType} ${version} ${extra.variant ?? "prod"}\n`),
  ...extra,
});

/** An edge over rpi4 2.88.4 (signed as recommended), 2.88.5, 2.89.0-beta.1, 2.88.5 dev; nuc 1.0.0. */
async function withEdge(run: (app: ReturnType<typeof createApp>) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "edge-images-" });
  try {
    const storage = new FsStorage(dir);
    await createDevRepository(storage, {
      content: {
        deviceTypes: [{ slug: "raspberrypi4-64", aliases: ["rpi4"] }, { slug: "nuc" }],
        apps: [],
        images: [
          image("2.88.4", { recommended: true }),
          image("2.88.5"),
          image("2.89.0-beta.1", { prerelease: true }),
          image("2.88.5", { variant: "dev" }),
          image("1.0.0", {}, "nuc"),
        ],
      },
    });
    await run(createApp({ storage }));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const resolved = async (app: ReturnType<typeof createApp>, path: string) => {
  const res = await app.request(path);
  await res.body?.cancel();
  assert.equal(res.status, 302, path);
  return res.headers.get("x-drover-version");
};

Deno.test("GET /v1/images/<type>/recommended and default take the version signed as recommended", async () => {
  await withEdge(async (app) => {
    assert.equal(await resolved(app, "/v1/images/rpi4/recommended"), "2.88.4");
    assert.equal(await resolved(app, "/v1/images/rpi4/default"), "2.88.4");
    assert.equal(await resolved(app, "/v1/images/rpi4/latest"), "2.89.0-beta.1");
    assert.equal(await resolved(app, "/v1/images/rpi4/recommended?variant=dev"), "2.88.5", "no dev flag");
    assert.equal(await resolved(app, "/v1/images/nuc/recommended"), "1.0.0", "none flagged: newest stable");
  });
});

Deno.test("GET /v1/images/<type>[?variant=dev] marks recommended what recommended resolves to", async () => {
  await withEdge(async (app) => {
    const list = async (path: string) => (await (await app.request(path)).json()).versions;
    assert.deepEqual(await list("/v1/images/rpi4"), [
      { version: "2.89.0-beta.1", prerelease: true, recommended: false, variants: ["prod"] },
      { version: "2.88.5", prerelease: false, recommended: false, variants: ["dev", "prod"] },
      { version: "2.88.4", prerelease: false, recommended: true, variants: ["prod"] },
    ]);
    const dev = await list("/v1/images/rpi4?variant=dev");
    assert.deepEqual(dev.map((v: { recommended: boolean }) => v.recommended), [false, true, false]);
    assert.deepEqual(await list("/v1/images/nuc"), [
      { version: "1.0.0", prerelease: false, recommended: true, variants: ["prod"] },
    ]);
    const bad = await app.request("/v1/images/rpi4?variant=debug");
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.code, "E_BAD_REQUEST");
  });
});
