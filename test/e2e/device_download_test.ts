import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { join } from "node:path";
import { serveStatic } from "./static_server.ts";
import { DeviceFixture, drover, jsonOf } from "./device_fixture.ts";
import { DROVER_MJS } from "../harness.ts";

// `check` downloads to a verified blob first (downloadVerified); `update` verifies and extracts while
// it downloads (resumableSource). Both resume a .part, retry transient failures and refuse bad bytes.

/** A fixture with one app and a ~300 KiB incompressible release published. */
async function setup() {
  const fx = await DeviceFixture.create();
  await fx.installApp("radio", { name: "acme/radio", ref: "main", commit: "0000000" });
  const archive = await fx.publish("acme/radio", "main", "aaaaaaa1", {
    "blob.txt": randomBytes(300_000).toString("base64"),
  });
  const bytes = await Deno.readFile(archive);
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  await Deno.mkdir(join(fx.ws, "downloads"), { recursive: true });
  return { fx, bytes, sha256, part: join(fx.ws, "downloads", `${sha256}.part`) };
}

const targetRequests = (server: { requests: { path: string; range: string | null; status: number }[] }) =>
  server.requests.filter((r) => r.path.startsWith("/targets/")).map((r) => [r.range, r.status]);

function run(
  cmd: "check" | "update",
  fx: DeviceFixture,
  server: { url: URL },
  options: { extra?: string[]; runtime?: "node" | "deno" } = {},
) {
  const args = [cmd, ...fx.args(), "--api", server.url.href, "--json", ...(options.extra ?? [])];
  return drover(args, { runtime: options.runtime });
}

for (const [cmd, runtime] of [["check", "node"], ["update", "deno"], ["update", "node"]] as const) {
  Deno.test(`${cmd} (${runtime}) resumes a partial download (.part) with a Range request and re-hashes it`, async () => {
    const { fx, bytes, part } = await setup();
    await using _fx = fx;
    await using server = serveStatic(fx.repo);
    await Deno.writeFile(part, bytes.subarray(0, 100_000));
    const r = await run(cmd, fx, server, { runtime });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(targetRequests(server), [["bytes=100000-", 206]]);
    if (cmd === "update") assert.equal(await fx.currentCommit("radio"), "aaaaaaa1");
    else assert.deepEqual(await Deno.readFile(part.replace(/\.part$/, ".blob")), bytes);
    await assert.rejects(Deno.stat(part), Deno.errors.NotFound);
  });
}

for (const cmd of ["check", "update"] as const) {
  Deno.test(`${cmd}: a corrupt .part fails verification once and is downloaded again from byte 0`, async () => {
    const { fx, part } = await setup();
    await using _fx = fx;
    await using server = serveStatic(fx.repo);
    await Deno.writeFile(part, new Uint8Array(50_000).fill(7));
    const r = await run(cmd, fx, server, { extra: ["--retries", "1"] });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(targetRequests(server), [["bytes=50000-", 206], [null, 200]]);
  });

  Deno.test(`${cmd}: a server that ignores Range gets the download from byte 0`, async () => {
    const { fx, bytes, part } = await setup();
    await using _fx = fx;
    await using server = serveStatic(fx.repo, { ignoreRange: true });
    await Deno.writeFile(part, bytes.subarray(0, 100_000));
    const r = await run(cmd, fx, server, { runtime: "node" });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(targetRequests(server), [["bytes=100000-", 200]]);
  });

  Deno.test(`${cmd} (node): a connection dropped mid-body is retried from where it stopped`, async () => {
    const { fx, bytes } = await setup();
    await using _fx = fx;
    await using server = serveStatic(fx.repo, { cutAfter: 128 * 1024, cutPattern: /^\/targets\// });
    const r = await run(cmd, fx, server, { runtime: "node" });
    assert.equal(r.code, 0, r.stderr);
    const reqs = targetRequests(server);
    assert.ok(bytes.length > 2 * 128 * 1024);
    assert.equal(reqs[0]![0], null);
    // each retry asks for the rest, from where the bytes stopped (what was in flight is lost)
    const offsets = reqs.slice(1).map(([range]) => Number(/^bytes=(\d+)-$/.exec(String(range))?.[1]));
    assert.ok(
      offsets.length >= 2 && offsets.every((o, i) => o > (offsets[i - 1] ?? 0)),
      JSON.stringify(reqs),
    );
  });
}

Deno.test("503 with Retry-After and redirects are followed (node); no server at all exits 75", async () => {
  const { fx } = await setup();
  await using _fx = fx;
  await using server = serveStatic(fx.repo, {
    failFirst: 2,
    failPattern: /^\/targets\//,
    retryAfter: 0,
    intercept: (req, path) =>
      path.startsWith("/targets/") && !req.url.endsWith("?moved")
        ? new Response(null, { status: 302, headers: { location: `${path}?moved` } })
        : undefined,
  });
  const r = await run("update", fx, server, { runtime: "node" });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(targetRequests(server), [[null, 302], [null, 503], [null, 302], [null, 503], [null, 302], [
    null,
    200,
  ]]);
  const down = await drover(
    ["check", ...fx.args(), "--api", "http://127.0.0.1:9/", "--retries", "1", "--json"],
    { runtime: "node" },
  );
  assert.equal(down.code, 75, down.stderr);
  assert.equal(jsonOf(down).errors[0].code, "E_TRANSIENT");
  const status = JSON.parse(await Deno.readTextFile(join(fx.ws, "status.json")));
  assert.equal(status.lastCheck.ok, false);
  assert.equal(status.lastCheck.error.code, "E_TRANSIENT");
  assert.equal(await fx.currentCommit("radio"), "aaaaaaa1");
});

Deno.test("a 404 target is final: not retried, exit 1, nothing installed (check and update)", async () => {
  const { fx } = await setup();
  await using _fx = fx;
  await using server = serveStatic(fx.repo, {
    intercept: (
      _req,
      path,
    ) => (path.startsWith("/targets/") ? new Response("gone", { status: 404 }) : undefined),
  });
  const c = await run("check", fx, server);
  assert.equal(c.code, 1, c.stderr);
  assert.equal(jsonOf(c).apps[0].action, "failed");
  assert.equal(jsonOf(c).apps[0].error.code, "E_NOT_FOUND");
  const u = await run("update", fx, server, { runtime: "node" });
  assert.equal(u.code, 1, u.stderr);
  const doc = jsonOf(u);
  assert.equal(doc.check.apps[0].action, "deferred");
  assert.equal(doc.install.apps[0].action, "failed");
  assert.equal(doc.install.apps[0].error.code, "E_NOT_FOUND");
  assert.deepEqual(targetRequests(server), [[null, 404], [null, 404]], "4xx is not retried");
  assert.equal(await fx.currentCommit("radio"), "0000000");
  assert.deepEqual([...Deno.readDirSync(join(fx.ws, "manifests"))], []);
});

for (const cmd of ["check", "update"] as const) {
  Deno.test(`${cmd} (node): a stalled body hits the idle timeout and the run exits 75, keeping the .part`, async () => {
    const { fx, bytes, part } = await setup();
    await using _fx = fx;
    const stalls: ReadableStreamDefaultController<Uint8Array>[] = [];
    await using server = serveStatic(fx.repo, {
      intercept: (_req, path) => {
        if (!path.startsWith("/targets/")) return undefined;
        const body = new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(bytes.subarray(0, 20_000));
            stalls.push(c);
          },
        });
        return new Response(body, { headers: { "content-length": String(bytes.length) } });
      },
    });
    const r = await run(cmd, fx, server, { extra: ["--timeout", "0.5", "--retries", "0"], runtime: "node" });
    for (const c of stalls) {
      try {
        c.close();
      } catch { /* already cancelled when the client went away */ }
    }
    assert.equal(r.code, 75, r.stderr);
    const doc = jsonOf(r);
    const entry = cmd === "check" ? doc.apps[0] : doc.install.apps[0];
    assert.match(entry.error.message, /no data for 500 ms/);
    assert.equal((await Deno.stat(part)).size, 20_000);
    assert.equal(await fx.currentCommit("radio"), "0000000");
    assert.deepEqual([...Deno.readDirSync(join(fx.target, "radio/releases"))].map((e) => e.name), ["0"]);
  });
}

Deno.test("an update killed mid-download is finished by the next install, resuming the .part", async () => {
  const { fx, bytes, part } = await setup();
  await using _fx = fx;
  const stalls: ReadableStreamDefaultController<Uint8Array>[] = [];
  await using server = serveStatic(fx.repo, {
    intercept: (req, path) => {
      if (!path.startsWith("/targets/") || req.headers.has("range")) return undefined;
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(bytes.subarray(0, 100_000));
          stalls.push(c); // then nothing: the update is killed while it waits
        },
      });
      return new Response(body, { headers: { "content-length": String(bytes.length) } });
    },
  });
  const child = new Deno.Command("node", {
    args: [DROVER_MJS, "update", ...fx.args(), "--api", server.url.href],
    stdout: "null",
    stderr: "null",
  }).spawn();
  while (((await Deno.stat(part).catch(() => undefined))?.size ?? 0) < 100_000) {
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill("SIGKILL");
  await child.status;
  for (const c of stalls) {
    try {
      c.close();
    } catch { /* cancelled */ }
  }
  assert.equal(await fx.currentCommit("radio"), "0000000");
  const r = await drover(["install", ...fx.args(), "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(jsonOf(r).apps[0].action, "installed");
  assert.deepEqual(targetRequests(server), [[null, 200], ["bytes=100000-", 206]]);
  assert.equal(await fx.currentCommit("radio"), "aaaaaaa1");
  assert.deepEqual([...Deno.readDirSync(join(fx.ws, "downloads"))], []);
});
