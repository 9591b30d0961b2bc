import assert from "node:assert/strict";
import { Updater } from "tuf-js";
import { signEnvelope } from "../../core/trust/mod.ts";
import { FsStorage } from "../../edge/storage/fs_storage.ts";
import { startDenoEdge } from "../edge/deno_child.ts";
import { writeKeys } from "../../edge/key_files.ts";
import { FIXTURE_CONTENT, fixtureKeys, sha256Hex, TOKEN, writeFixture } from "../edge/fixture.ts";

Deno.test("tuf-js (a standard TUF client) refreshes from the edge, downloads targets, and sees what the edge re-signed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "edge-tufjs-" });
  try {
    const keys = await fixtureKeys();
    const storage = new FsStorage(`${dir}/data`);
    await writeFixture(storage, keys);
    await writeKeys(`${dir}/data/keys`, keys);
    await Deno.mkdir(`${dir}/client/targets`, { recursive: true });
    await Deno.writeFile(`${dir}/client/root.json`, (await storage.get("tuf/1.root.json"))!);
    const edge = await startDenoEdge(`${dir}/data`, { DROVER_TOKEN: TOKEN });
    try {
      const updater = () =>
        new Updater({
          metadataDir: `${dir}/client`,
          metadataBaseUrl: `${edge.url}/tuf`,
          targetDir: `${dir}/client/targets`,
          targetBaseUrl: `${edge.url}/targets`,
        });
      const first = updater();
      await first.refresh();
      const app = FIXTURE_CONTENT.apps[0]!;
      const info = await first.getTargetInfo(`apps/${app.name}/${app.ref}/${app.commit}.tar.gz`);
      assert.ok(info, "target listed in the signed metadata");
      const file = await first.downloadTarget(info, `${dir}/client/targets/app.tar.gz`);
      assert.equal(await sha256Hex(await Deno.readFile(file)), info.hashes.sha256);

      // Publish through the edge; tuf-js must accept the snapshot and timestamp the edge re-signed.
      const bytes = new TextEncoder().encode("new release bytes\n");
      const sha256 = await sha256Hex(bytes);
      const put = await fetch(`${edge.url}/v1/targets/${sha256}`, {
        method: "PUT",
        body: bytes,
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      assert.equal(put.status, 201, await put.text());
      const current = JSON.parse(new TextDecoder().decode((await storage.get("tuf/2.targets.json"))!)).signed;
      const path = "apps/radiodan/magic-button/master/bbbbbbb.tar.gz";
      const custom = {
        kind: "app",
        name: "radiodan/magic-button",
        ref: "master",
        commit: "bbbbbbb",
        serial: 7,
        updated: "2026-11-02T00:00:00Z",
      };
      const signed = {
        ...current,
        version: 3,
        targets: { ...current.targets, [path]: { length: bytes.length, hashes: { sha256 }, custom } },
      };
      const post = await fetch(`${edge.url}/v1/metadata`, {
        method: "POST",
        body: JSON.stringify(await signEnvelope(signed, [keys.targets])),
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      assert.equal(post.status, 200, await post.text());

      const second = updater();
      await second.refresh();
      const fresh = await second.getTargetInfo(path);
      assert.ok(fresh, "the new target is visible after refresh");
      const downloaded = await second.downloadTarget(fresh, `${dir}/client/targets/new.tar.gz`);
      assert.deepEqual(await Deno.readFile(downloaded), bytes);
    } finally {
      await edge.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
