import assert from "node:assert/strict";
import { startDenoEdge } from "../edge/deno_child.ts";
import { FsStorage } from "../../edge/storage/fs_storage.ts";
import { writeKeys } from "../../edge/key_files.ts";
import { fixtureKeys, MAX_UPLOAD, TOKEN, writeFixture } from "../edge/fixture.ts";
import { runSuite } from "../edge/suite.ts";

Deno.test("edge suite over real HTTP against `deno task start` (edge/deno.ts)", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "edge-deno-" });
  try {
    const keys = await fixtureKeys();
    await writeFixture(new FsStorage(dir), keys);
    await writeKeys(`${dir}/keys`, keys);
    const edge = await startDenoEdge(dir, {
      DROVER_TOKEN: TOKEN,
      DROVER_MAX_UPLOAD_BYTES: String(MAX_UPLOAD),
    });
    let log = "";
    try {
      await runSuite(t, {
        keys,
        fetch: (path, init) => fetch(edge.url + path, { redirect: "manual", ...init }),
      });
      await (await fetch(`${edge.url}/healthz?last`)).arrayBuffer();
    } finally {
      log = await edge.stop();
    }
    assert.match(log, /^GET \/healthz\?last 200 \d+ms$/m, "the last line is flushed on SIGTERM");
    assert.match(log, /^GET \/releases 200 \d+ms$/m, "one log line per request");
    assert.match(log, /^PUT \/v1\/targets\/[0-9a-f]{64} 422 /m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("`deno task start` on an empty data directory creates a development repository and says how to use it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "edge-first-" });
  try {
    const edge = await startDenoEdge(`${dir}/data`);
    let log = "";
    try {
      const res = await fetch(`${edge.url}/releases`);
      const doc = await res.json();
      assert.equal(doc["drover/hello"].main.commit.length, 40);
      const image = await fetch(`${edge.url}/v1/images/rpi4/latest`, { redirect: "manual" });
      await image.body?.cancel();
      assert.equal(image.status, 302);
      assert.equal(image.headers.get("x-drover-version"), "1.0.0");
      const publish = await fetch(`${edge.url}/v1/metadata`, { method: "POST", body: "{}" });
      assert.equal(publish.status, 403, "no DROVER_TOKEN: publishing disabled");
      await publish.body?.cancel();
    } finally {
      log = await edge.stop();
    }
    assert.match(log, /Created a development repository/);
    assert.match(log, /drover add --target \.\/apps --app drover\/hello --ref main/);
    assert.match(log, new RegExp(`drover update --api ${edge.url.replace(/[.]/g, "\\.")} --trusted-root`));
    for (const role of ["root", "targets", "snapshot", "timestamp"]) {
      const info = await Deno.stat(`${dir}/data/keys/${role}.json`);
      assert.equal(info.mode! & 0o777, 0o600);
    }
    const again = await startDenoEdge(`${dir}/data`);
    const second = await again.stop();
    assert.doesNotMatch(second, /Created a development repository/, "a second start reuses the repository");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
