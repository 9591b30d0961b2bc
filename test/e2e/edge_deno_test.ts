import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { startDenoEdge } from "../edge/deno_child.ts";
import { FsStorage } from "../../edge/storage/fs_storage.ts";
import { writeKeys } from "../../edge/key_files.ts";
import { fixtureKeys, MAX_UPLOAD, TOKEN, writeFixture } from "../edge/fixture.ts";
import { runSuite } from "../edge/suite.ts";
import { DEMO_CONTENT } from "../../edge/dev_repository.ts";
import { DROVER_MJS, ensureBundle, ROOT, runCommand } from "../harness.ts";

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

Deno.test("the commands the first start prints work as printed, in order, and install the demo app", async () => {
  await ensureBundle();
  const tmp = await Deno.makeTempDir({ prefix: "edge-first-run-" });
  try {
    // relative to the edge's working directory (the repository root), as `./.data` is by default
    const edge = await startDenoEdge(relative(ROOT, join(tmp, "data")));
    try {
      for (let waited = 0; !edge.log().includes("Publish more with"); waited += 20) {
        if (waited > 10_000) throw new Error(`Cannot find the first-start notice in:\n${edge.log()}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const notice = edge.log().split("\n");
      const commands = notice.slice(notice.findIndex((l) => l.startsWith("Point drover at it")))
        .filter((l) => l.startsWith("  "))
        .map((l) => l.trim());
      assert.deepEqual(commands.map((c) => c.split(" ").slice(0, 2).join(" ")), [
        "mkdir -p",
        "drover add",
        "drover update",
        "drover image",
      ]);
      const cwd = join(tmp, "cwd");
      await Deno.mkdir(cwd);
      for (const command of commands) {
        // only the program is replaced: `drover` is the bundle under Node
        const script = `drover() { node "$DROVER_MJS" "$@"; }\n${command}`;
        const r = await runCommand("sh", ["-c", script], {
          cwd,
          env: { DROVER_MJS: DROVER_MJS, XDG_CACHE_HOME: join(tmp, "cache") },
        });
        assert.equal(r.code, 0, `${command}\n${r.stdout}${r.stderr}`);
      }
      const app = join(cwd, "apps", "hello", "current");
      assert.equal(JSON.parse(await Deno.readTextFile(join(app, ".deploy"))).name, "drover/hello");
      assert.equal(await Deno.readTextFile(join(app, "hello.sh")), DEMO_CONTENT.apps[0]!.files["hello.sh"]);
      assert.deepEqual(await Deno.readFile(join(cwd, "os.img")), DEMO_CONTENT.images[0]!.bytes);
    } finally {
      await edge.stop();
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
