import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { startDenoEdge, startTaskArgs } from "../edge/deno_child.ts";
import { FsStorage } from "../../edge/storage/fs_storage.ts";
import { writeKeys } from "../../edge/key_files.ts";
import { fixtureKeys, MAX_UPLOAD, TOKEN, writeFixture } from "../edge/fixture.ts";
import { runSuite } from "../edge/suite.ts";
import { DEMO_CONTENT } from "../../edge/dev_repository.ts";
import { DROVER_MJS, ensureBundle, ROOT, runCommand } from "../harness.ts";

/** A `drover-repo push` upload its client abandons: part of the declared body, then the connection closed. */
async function interruptedUpload(url: string): Promise<void> {
  const { hostname, port } = new URL(url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  const head = `PUT /v1/targets/${"0".repeat(64)} HTTP/1.1\r\nhost: ${hostname}\r\n` +
    `authorization: Bearer ${TOKEN}\r\ncontent-length: ${MAX_UPLOAD}\r\n\r\n`;
  await conn.write(new TextEncoder().encode(head));
  await conn.write(new Uint8Array(Math.min(64 * 1024, MAX_UPLOAD - 1)));
  await new Promise((resolve) => setTimeout(resolve, 200)); // the edge is reading the body
  conn.close();
  await new Promise((resolve) => setTimeout(resolve, 300));
}

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
      await interruptedUpload(edge.url);
      await (await fetch(`${edge.url}/healthz?last`)).arrayBuffer();
    } finally {
      log = await edge.stop();
    }
    assert.match(log, /^PUT \/v1\/targets\/0{64} 499 \d+ms$/m, "an interrupted upload: its request line");
    assert.doesNotMatch(log, /edge error|^\s+at /m, "a client going away is not an edge error");
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
    assert.match(log, /drover\.mjs add --target \.\/apps --app drover\/hello --ref main/);
    assert.match(
      log,
      new RegExp(`drover\\.mjs update --api ${edge.url.replace(/[.]/g, "\\.")} --trusted-root`),
    );
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
      const program = `node ${DROVER_MJS}`;
      assert.deepEqual(commands.map((c) => c.replace(program, "drover").split(" ").slice(0, 2).join(" ")), [
        commands[0]!.startsWith("npx -y deno@") ? "npx -y" : "deno task",
        "mkdir -p",
        "drover add",
        "drover update",
        "drover image",
      ]);
      assert.match(commands[0]!, new RegExp(` task --config ${join(ROOT, "deno.json")} build$`));
      assert.match(
        edge.log(),
        new RegExp(`Publish more with: node ${join(ROOT, "dist", "drover-repo.mjs")} add-app`),
      );
      const cwd = join(tmp, "cwd"); // any directory, not the checkout
      await Deno.mkdir(cwd);
      // as printed; the build (the first) is what the suite did before it started
      for (const command of commands.slice(1)) {
        const r = await runCommand("sh", ["-c", command], {
          cwd,
          env: { XDG_CACHE_HOME: join(tmp, "cache") },
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

Deno.test("`deno task start` refuses bad settings and a port in use with one line and exit 1, creating nothing", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "edge-start-fail-" });
  const start = async (env: Record<string, string>) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: await startTaskArgs(),
      cwd: ROOT,
      env: { DROVER_DATA: join(tmp, "data"), HOST: "127.0.0.1", NO_COLOR: "1", ...env },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
  };
  const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    for (
      const [env, message, createsData] of [
        [
          { PORT: "0", DROVER_OPERATOR_TOKEN: "short" },
          /DROVER_OPERATOR_TOKEN must be at least 8 characters/,
          false,
        ],
        [
          { PORT: "0", DROVER_REPORT_RETENTION_DAYS: "soon" },
          /DROVER_REPORT_RETENTION_DAYS='soon' is not a number/,
          false,
        ],
        [{ PORT: "http" }, /PORT='http' is not a port number/, false],
        [
          { PORT: String((busy.addr as Deno.NetAddr).port) },
          new RegExp(
            `^Cannot start the Drover edge: 127\\.0\\.0\\.1:${(busy.addr as Deno.NetAddr).port} is in use`,
          ),
          true, // found out when it listens
        ],
      ] as const
    ) {
      const { code, stderr } = await start(env);
      assert.equal(code, 1, stderr);
      assert.match(stderr, /^Cannot (start the Drover edge|configure edge): .*\n$/);
      assert.match(stderr, message);
      assert.doesNotMatch(stderr, /Uncaught|^\s+at /m);
      if (!createsData) {
        assert.equal(await Deno.stat(join(tmp, "data")).catch(() => undefined), undefined, "nothing created");
      }
    }
  } finally {
    busy.close();
    await Deno.remove(tmp, { recursive: true });
  }
});
