import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NotFoundError } from "../../core/errors.ts";
import { type PendingManifest, Workspace } from "./workspace.ts";

const manifest: PendingManifest = {
  version: 1,
  name: "acme/radio",
  ref: "main",
  commit: "abcdef1",
  dirName: "radio",
  source: "tuf",
  blob: "ab".repeat(32),
  sha256: "ab".repeat(32),
  length: 10,
  origin: "apps/acme/radio/main/abcdef1.tar.gz",
  downloadedAt: "2026-01-01T00:00:00.000Z",
};

Deno.test("Workspace keeps pending manifests per app and refuses unsafe ones", async () => {
  const ws = new Workspace(await mkdtemp(join(tmpdir(), "drover-ws-")));
  try {
    await ws.init();
    await ws.writePending(manifest);
    assert.deepEqual(await readdir(ws.manifests), ["acme~radio.json"]);
    assert.deepEqual((await ws.readPending()).manifests, [manifest]);
    await assert.rejects(ws.writePending({ ...manifest, dirName: "../etc" }), TypeError);
    await assert.rejects(ws.writePending({ ...manifest, blob: "../../x" }), TypeError);
    await assert.rejects(ws.writePending({ ...manifest, name: "a/b/c" }), TypeError);
    // a manifest under another app's file name, or garbage, is reported, not used
    await writeFile(join(ws.manifests, "acme~other.json"), JSON.stringify(manifest));
    await writeFile(join(ws.manifests, "junk.json"), "{");
    const { manifests, problems } = await ws.readPending();
    assert.equal(manifests.length, 1);
    assert.deepEqual(problems.map((p) => p.file), ["acme~other.json", "junk.json"]);
    await ws.removePending("acme/radio");
    await ws.removePending("acme/radio");
    assert.equal(ws.blobPath("k"), join(ws.downloads, "k.blob"));
  } finally {
    await rm(ws.dir, { recursive: true });
  }
});

Deno.test("Workspace status.json starts empty, survives corruption, and is updated atomically", async () => {
  const ws = new Workspace(await mkdtemp(join(tmpdir(), "drover-ws-")));
  try {
    assert.deepEqual(await ws.readStatus(), { version: 1, apps: {} });
    await ws.init();
    await writeFile(ws.statusPath, "{ broken");
    assert.deepEqual(await ws.readStatus(), { version: 1, apps: {} });
    await ws.updateStatus((s) => {
      s.apps["acme/radio"] = { ref: "main", current: "abc", previous: null, bad: [] };
    });
    assert.equal((await ws.readStatus()).apps["acme/radio"]?.current, "abc");
    assert.deepEqual((await readdir(ws.dir)).sort(), ["downloads", "manifests", "status.json", "tuf"]);
  } finally {
    await rm(ws.dir, { recursive: true });
  }
});

Deno.test("Workspace.mustExist() creates nothing and refuses a missing workspace or a file", async () => {
  const dir = await mkdtemp(join(tmpdir(), "drover-ws-"));
  try {
    await new Workspace(dir).mustExist("send reports");
    assert.deepEqual(await readdir(dir), []);
    await writeFile(join(dir, "file"), "");
    for (const path of [join(dir, "typo"), join(dir, "file")]) {
      await assert.rejects(
        new Workspace(path).mustExist("send reports"),
        (e) => e instanceof NotFoundError && e.message.startsWith(`Cannot send reports: workspace ${path} `),
      );
    }
    assert.deepEqual(await readdir(dir), ["file"]);
  } finally {
    await rm(dir, { recursive: true });
  }
});

Deno.test("Workspace writes the pending record of the longest app name on the longest ref (a file name fits), refuses a longer name", async () => {
  const ws = new Workspace(await mkdtemp(join(tmpdir(), "drover-ws-")));
  try {
    await ws.init();
    const name = `${"o".repeat(48)}/${"a".repeat(47)}`; // 96 characters: core/names' MAX_APP_NAME_LENGTH
    const long = { ...manifest, name, ref: "r".repeat(128) };
    await ws.writePending(long, { key: `${name}@${long.ref}` }); // `.<slug>@<ref>.json.tmp-<pid>-<rand>` first
    await ws.writePending(long);
    await ws.writePending({ ...long, ref: "main" }, { key: `${name}@main` });
    const slug = `${"o".repeat(48)}~${"a".repeat(47)}`;
    assert.deepEqual((await readdir(ws.manifests)).sort(), [`${slug}.json`, `${slug}@main.json`]);
    assert.equal((await ws.readPending()).manifests.length, 2);
    await assert.rejects(ws.writePending({ ...long, name: `${name}a` }), TypeError);
  } finally {
    await rm(ws.dir, { recursive: true });
  }
});
