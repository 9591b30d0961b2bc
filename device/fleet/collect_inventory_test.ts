import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseInventory } from "../../core/fleet/inventory.ts";
import { VERSION } from "../cli/version.ts";
import { collectInventory, deviceTypeOf, osVersionOf, parseOsRelease } from "./collect_inventory.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "inventory-test-"));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function installed(target: string, dir: string, id: string, deploy: Record<string, unknown>) {
  await mkdir(join(target, dir, "releases", id), { recursive: true });
  await writeFile(join(target, dir, "releases", id, ".deploy"), JSON.stringify(deploy));
  await symlink(`releases/${id}`, join(target, dir, "current"));
}

const SHA = "5f".repeat(32);

Deno.test("collectInventory() lists each installed app with its release facts, and leaves out what the fleet cannot store", async () => {
  await withDir(async (dir) => {
    const target = join(dir, "apps");
    await installed(target, "radio", "7-68200ec154d6", {
      name: "acme/radio",
      ref: "main",
      commit: "68200EC154D6DBDC",
      serial: 7,
      sha256: SHA,
    });
    await installed(target, "legacy", "20200101T000000Z-1111111", {
      name: "old/app",
      ref: "master",
      commit: "1111111",
    });
    await installed(target, "weird", "1", {
      name: "legacy_name_without_owner",
      ref: "main",
      commit: "2222222",
    });
    await mkdir(join(target, "fresh"), { recursive: true }); // registered, nothing installed
    await writeFile(
      join(target, "fresh/.drover-app.json"),
      JSON.stringify({ name: "acme/fresh", ref: "main" }),
    );
    const inventory = await collectInventory(target, {
      labels: { site: "north" },
      env: { DROVER_OS_VERSION: "acme-os 3.1" },
      osRelease: [],
    });
    assert.deepEqual(inventory, {
      schema: 1,
      deviceType: "unknown",
      osVersion: "acme-os 3.1",
      droverVersion: VERSION,
      apps: [
        {
          name: "acme/radio",
          ref: "main",
          commit: "68200ec154d6dbdc",
          serial: 7,
          sha256: SHA,
          releaseId: "7-68200ec154d6",
        },
        {
          name: "old/app",
          ref: "master",
          commit: "1111111",
          serial: null,
          sha256: null,
          releaseId: "20200101T000000Z-1111111",
        },
      ],
      labels: { site: "north" },
      tracked: [{ name: "acme/fresh", ref: "main" }],
    });
    assert.deepEqual(parseInventory(inventory), inventory, "what the edge accepts");
  });
});

Deno.test("collectInventory() tracks what `apps` cannot list: nothing installed, a second ref, a registration's other ref", async () => {
  await withDir(async (dir) => {
    const target = join(dir, "apps");
    const register = async (name: string, app: string, ref: string) => {
      await mkdir(join(target, name), { recursive: true });
      await writeFile(join(target, name, ".drover-app.json"), JSON.stringify({ name: app, ref }));
    };
    const options = { labels: {}, env: { DROVER_OS_VERSION: "x" }, osRelease: [] };
    await mkdir(target, { recursive: true });
    assert.equal("tracked" in await collectInventory(target, options), false, "nothing tracked: no field");
    await register("hello", "acme/hello", "main"); // a new device: added, nothing installed yet
    let inventory = await collectInventory(target, options);
    assert.deepEqual(inventory.apps, []);
    assert.deepEqual(inventory.tracked, [{ name: "acme/hello", ref: "main" }]);
    await installed(target, "radio-master", "1", { name: "acme/radio", ref: "master", commit: "1111111" });
    await installed(target, "radio-develop", "1", { name: "acme/radio", ref: "develop", commit: "2222222" });
    await installed(target, "clock", "1", { name: "acme/clock", ref: "main", commit: "3333333" });
    await register("clock", "acme/clock", "beta"); // switched to beta, main still installed
    inventory = await collectInventory(target, options);
    assert.deepEqual(inventory.apps.map((a) => [a.name, a.ref]), [["acme/clock", "main"], [
      "acme/radio",
      "develop",
    ]]);
    assert.deepEqual(inventory.tracked, [
      { name: "acme/clock", ref: "beta" },
      { name: "acme/hello", ref: "main" },
      { name: "acme/radio", ref: "master" },
    ]);
    assert.deepEqual(parseInventory(inventory), inventory, "what the edge accepts");
  });
});

Deno.test("deviceTypeOf(): env, then the enrolled type, then the device-type label, then the image cache's one type, else unknown", async () => {
  await withDir(async (dir) => {
    const cacheDir = join(dir, "cache");
    await mkdir(join(cacheDir, "images/rpi4/1.0.0"), { recursive: true });
    const labels = { "device-type": "label-type" };
    const env = { DROVER_DEVICE_TYPE: "env-type" };
    assert.equal(await deviceTypeOf({ env, deviceType: "enrolled", labels, cacheDir }), "env-type");
    assert.equal(await deviceTypeOf({ deviceType: "enrolled", labels, cacheDir }), "enrolled");
    assert.equal(await deviceTypeOf({ labels, cacheDir }), "label-type");
    assert.equal(await deviceTypeOf({ labels: {}, cacheDir }), "rpi4");
    await mkdir(join(cacheDir, "images/x86"), { recursive: true });
    assert.equal(await deviceTypeOf({ labels: {}, cacheDir }), "unknown", "two types cached: not known");
    assert.equal(await deviceTypeOf({ labels: {}, env: { DROVER_DEVICE_TYPE: "../bad" } }), "unknown");
  });
});

Deno.test("osVersionOf(): DROVER_OS_VERSION, else os-release's image version, pretty name, or name and version", async () => {
  await withDir(async (dir) => {
    const file = join(dir, "os-release");
    const read = (text: string) =>
      writeFile(file, text).then(() => osVersionOf({ paths: [join(dir, "none"), file] }));
    assert.equal(
      await read('NAME="Debian GNU/Linux"\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'),
      "Debian GNU/Linux 12 (bookworm)",
    );
    assert.equal(
      await read("ID=acmeos\nIMAGE_ID=acme-gw\nIMAGE_VERSION=2026.01.3\nPRETTY_NAME=Acme\n"),
      "acme-gw 2026.01.3",
    );
    assert.equal(await read("NAME=Alpine\nVERSION_ID=3.20.1\n"), "Alpine 3.20.1");
    assert.equal(await read("# nothing useful\n"), undefined);
    assert.equal(await osVersionOf({ env: { DROVER_OS_VERSION: " v1\u0007 " }, paths: [file] }), "v1");
    assert.equal(await osVersionOf({ paths: [join(dir, "none")] }), undefined);
    assert.deepEqual(parseOsRelease(`A="x \\"y\\""\nB='z'\n  C=plain  \nbad line\n`), {
      A: 'x "y"',
      B: "z",
      C: "plain",
    });
  });
});
