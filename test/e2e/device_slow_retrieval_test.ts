import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { serveStatic } from "./static_server.ts";
import { DeviceFixture, drover, jsonOf } from "./device_fixture.ts";

// TUF's slow retrieval attack: a server (or a man in the middle) that sends a few bytes now and then
// keeps the device busy for ever unless it gives up. `drover` gives up below a minimum rate over a
// window and at the run's deadline: exit 75 (try later), nothing changed but the .part.

/** A body that sends `bytes` `size` bytes at a time, `everyMs` apart; its timer ends with it. */
function dribble(bytes: Uint8Array, o: { size: number; everyMs: number }): ReadableStream<Uint8Array> {
  let at = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      return new Promise<void>((done) => {
        timer = setTimeout(() => {
          controller.enqueue(bytes.slice(at, at + o.size));
          at += o.size;
          done();
        }, o.everyMs);
      });
    },
    cancel: () => clearTimeout(timer),
  });
}

/** A fixture with one app installed and a ~300 KiB release published. */
async function setup() {
  const fx = await DeviceFixture.create();
  await fx.installApp("radio", { name: "acme/radio", ref: "main", commit: "0000000" });
  const archive = await fx.publish("acme/radio", "main", "aaaaaaa1", {
    "blob.txt": randomBytes(300_000).toString("base64"),
  });
  return { fx, bytes: await Deno.readFile(archive) };
}

/** Every file under `dir` (relative path -> content), for "nothing changed". */
async function tree(
  dir: string,
  out: Record<string, string> = {},
  prefix = "",
): Promise<Record<string, string>> {
  for await (const e of Deno.readDir(dir)) {
    const rel = prefix + e.name;
    if (e.isDirectory) await tree(join(dir, e.name), out, rel + "/");
    else if (e.isSymlink) out[rel] = `-> ${await Deno.readLink(join(dir, e.name))}`;
    else out[rel] = await Deno.readTextFile(join(dir, e.name));
  }
  return out;
}

const partsIn = (fx: DeviceFixture) =>
  [...Deno.readDirSync(join(fx.ws, "downloads"))].filter((e) => e.name.endsWith(".part")).map((e) =>
    Deno.statSync(join(fx.ws, "downloads", e.name)).size
  );

for (const [cmd, runtime] of [["update", "node"], ["update", "deno"], ["check", "node"]] as const) {
  Deno.test(`${cmd} (${runtime}) gives up on an artifact dribbled below --min-rate: exit 75, current unchanged, .part kept`, async () => {
    const { fx, bytes } = await setup();
    await using _fx = fx;
    await using server = serveStatic(fx.repo, {
      intercept: (_req, path) =>
        path.startsWith("/targets/")
          ? new Response(dribble(bytes, { size: 200, everyMs: 100 }), {
            headers: { "content-length": String(bytes.length) },
          })
          : undefined,
    });
    const target = await tree(fx.target);
    const started = performance.now();
    const r = await drover(
      [cmd, ...fx.args(), "--api", server.url.href, "--json", "--min-rate", "4096", "--rate-window", "1"],
      { runtime },
    );
    const seconds = (performance.now() - started) / 1000;
    assert.equal(r.code, 75, r.stderr);
    const doc = jsonOf(r);
    const entry = cmd === "check" ? doc.apps[0] : doc.install.apps[0];
    assert.equal(entry.error.code, "E_TRANSIENT");
    assert.match(entry.error.message, /slower than 4096 bytes\/s over 1 s/);
    assert.ok(seconds < 20, `gave up after ${seconds} s`);
    assert.equal(server.requests.filter((q) => q.path.startsWith("/targets/")).length, 1, "not retried");
    assert.deepEqual(await tree(fx.target), target, "the target is unchanged");
    assert.equal(await fx.currentCommit("radio"), "0000000");
    const parts = partsIn(fx);
    assert.ok(parts.length === 1 && parts[0]! > 0 && parts[0]! < bytes.length, `.part sizes ${parts}`);
  });
}

Deno.test("update gives up on a dribbled tuf/timestamp.json (env DROVER_MIN_RATE): exit 75, nothing changed", async () => {
  const { fx } = await setup();
  await using _fx = fx;
  const timestamp = await Deno.readFile(join(fx.repo, "tuf/timestamp.json"));
  await using server = serveStatic(fx.repo, {
    intercept: (_req, path) =>
      path === "/tuf/timestamp.json"
        ? new Response(dribble(timestamp, { size: 1, everyMs: 100 }))
        : undefined,
  });
  const target = await tree(fx.target);
  const tuf = await tree(join(fx.ws, "tuf"));
  const r = await drover(["update", ...fx.args(), "--api", server.url.href, "--json"], {
    runtime: "node",
    env: { DROVER_MIN_RATE: "4096", DROVER_RATE_WINDOW: "1" },
  });
  assert.equal(r.code, 75, r.stderr);
  const doc = jsonOf(r);
  assert.equal(doc.errors[0].code, "E_TRANSIENT");
  assert.match(doc.errors[0].message, /timestamp\.json: slower than 4096 bytes\/s/);
  assert.deepEqual(await tree(fx.target), target);
  assert.deepEqual(await tree(join(fx.ws, "tuf")), tuf, "no metadata trusted or written");
  assert.equal(server.requests.filter((q) => q.path.startsWith("/targets/")).length, 0);
});

Deno.test("update ends at --deadline while an artifact trickles in above the minimum rate: exit 75, .part kept", async () => {
  const { fx, bytes } = await setup();
  await using _fx = fx;
  await using server = serveStatic(fx.repo, {
    intercept: (_req, path) =>
      path.startsWith("/targets/")
        ? new Response(dribble(bytes, { size: 8192, everyMs: 100 }), {
          headers: { "content-length": String(bytes.length) },
        })
        : undefined,
  });
  const started = performance.now();
  const r = await drover(["update", ...fx.args(), "--api", server.url.href, "--json", "--deadline", "2"], {
    runtime: "node",
  });
  const seconds = (performance.now() - started) / 1000;
  assert.equal(r.code, 75, r.stderr);
  assert.match(jsonOf(r).install.apps[0].error.message, /deadline/);
  assert.ok(seconds < 15, `ended after ${seconds} s`);
  assert.equal(await fx.currentCommit("radio"), "0000000");
  const parts = partsIn(fx);
  assert.ok(parts.length === 1 && parts[0]! > 0, `.part sizes ${parts}`);
});

Deno.test("check, install, update and image document --min-rate, --rate-window and --deadline", async () => {
  for (const cmd of ["check", "install", "update", "image"]) {
    const r = await drover([cmd, "--help"], { runtime: "node" });
    assert.equal(r.code, 0, r.stderr);
    for (const flag of ["--min-rate BYTES_PER_S", "--rate-window SECONDS", "--deadline SECONDS"]) {
      assert.ok(r.stdout.includes(flag), `${cmd} --help lacks ${flag}`);
    }
    for (const env of ["DROVER_MIN_RATE", "DROVER_RATE_WINDOW", "DROVER_DEADLINE"]) {
      assert.ok(r.stdout.includes(env), `${cmd} --help lacks ${env}`);
    }
  }
});
