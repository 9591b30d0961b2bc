import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type PendingManifest, Workspace } from "./workspace.ts";

const record = (ref: string, dirName: string): PendingManifest => ({
  version: 1,
  name: "radiodan/radio",
  ref,
  commit: "abcdef0",
  dirName,
  source: "tuf",
  blob: "0".repeat(64),
  sha256: "0".repeat(64),
  origin: "apps/radiodan/radio/x.tar.gz",
  downloadedAt: "2026-01-01T00:00:00.000Z",
});

Deno.test("pending records of one app on two refs live side by side under name@ref, and move when the key changes", async () => {
  const ws = new Workspace(await mkdtemp(join(tmpdir(), "ws-keys-")));
  try {
    await ws.init();
    await ws.writePending(record("master", "radio-master"));
    assert.deepEqual(await readdir(ws.manifests), ["radiodan~radio.json"], "a name on one ref: as before");
    // a second ref appeared: the record moves to its name@ref file
    await ws.writePending(record("master", "radio-master"), { key: "radiodan/radio@master" });
    await ws.writePending(record("develop", "radio-develop"), { key: "radiodan/radio@develop" });
    assert.deepEqual((await readdir(ws.manifests)).sort(), [
      "radiodan~radio@develop.json",
      "radiodan~radio@master.json",
    ]);
    const { manifests, problems } = await ws.readPending();
    assert.deepEqual(problems, []);
    assert.deepEqual(manifests.map((m) => m.ref).sort(), ["develop", "master"]);
    await ws.removePending("radiodan/radio@develop");
    assert.deepEqual(await readdir(ws.manifests), ["radiodan~radio@master.json"]);
    // an old plain record of that ref goes too
    await ws.writePending(record("master", "radio-master"));
    assert.deepEqual(await readdir(ws.manifests), ["radiodan~radio.json"]);
    await ws.removePending("radiodan/radio@master");
    assert.deepEqual(await readdir(ws.manifests), []);
    await assert.rejects(
      ws.writePending(record("master", "x"), { key: "radiodan/radio@develop" }),
      TypeError,
    );
  } finally {
    await rm(ws.dir, { recursive: true });
  }
});
