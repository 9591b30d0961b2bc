import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { join } from "node:path";
import { serveStatic, type StaticServerOptions } from "./_static_server.ts";
import { DeviceFixture, drover, jsonOf } from "./device_fixture.ts";

/** A fixture with one app and a ~300 KiB incompressible release published. */
async function setup() {
  const fx = await DeviceFixture.create();
  await fx.installApp("radio", { name: "acme/radio", ref: "main", commit: "0000000" });
  const archive = await fx.publish("acme/radio", "main", "aaaaaaa1", {
    "blob.txt": randomBytes(300_000).toString("base64"),
  });
  const bytes = await Deno.readFile(archive);
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  return { fx, bytes, sha256, part: join(fx.ws, "downloads", `${sha256}.part`) };
}

const targetRequests = (server: { requests: { path: string; range: string | null; status: number }[] }) =>
  server.requests.filter((r) => r.path.startsWith("/targets/")).map((r) => [r.range, r.status]);

async function update(
  fx: DeviceFixture,
  server: { url: URL },
  extra: string[] = [],
  options: { runtime?: "node" | "deno" } = {},
) {
  return await drover(["update", ...fx.args(), "--api", server.url.href, "--json", ...extra], options);
}

Deno.test("a partial download (.part) is resumed with a Range request and re-hashed (Node)", async () => {
  const { fx, bytes, part } = await setup();
  await using _fx = fx;
  await using server = serveStatic(fx.repo);
  await Deno.mkdir(join(fx.ws, "downloads"), { recursive: true });
  await Deno.writeFile(part, bytes.subarray(0, 100_000));
  const r = await update(fx, server, [], { runtime: "node" });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(targetRequests(server), [["bytes=100000-", 206]]);
  assert.equal(await fx.currentCommit("radio"), "aaaaaaa1");
});

Deno.test("a corrupt .part fails verification once and is downloaded again from byte 0", async () => {
  const { fx, part } = await setup();
  await using _fx = fx;
  await using server = serveStatic(fx.repo);
  await Deno.mkdir(join(fx.ws, "downloads"), { recursive: true });
  await Deno.writeFile(part, new Uint8Array(50_000).fill(7));
  const r = await update(fx, server, ["--retries", "1"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(targetRequests(server), [["bytes=50000-", 206], [null, 200]]);
  assert.equal(await fx.currentCommit("radio"), "aaaaaaa1");
});

Deno.test("a server that ignores Range gets a download from byte 0", async () => {
  const { fx, bytes, part } = await setup();
  await using _fx = fx;
  await using server = serveStatic(fx.repo, { ignoreRange: true });
  await Deno.mkdir(join(fx.ws, "downloads"), { recursive: true });
  await Deno.writeFile(part, bytes.subarray(0, 100_000));
  const r = await update(fx, server);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(targetRequests(server), [["bytes=100000-", 200]]);
  assert.equal(await fx.currentCommit("radio"), "aaaaaaa1");
});

Deno.test("a connection dropped mid-body is retried from where it stopped (Node)", async () => {
  const { fx, bytes } = await setup();
  await using _fx = fx;
  const options: StaticServerOptions = { cutAfter: 128 * 1024, cutPattern: /^\/targets\// };
  await using server = serveStatic(fx.repo, options);
  const r = await update(fx, server, [], { runtime: "node" });
  assert.equal(r.code, 0, r.stderr);
  const reqs = targetRequests(server);
  assert.ok(reqs.length >= 2, JSON.stringify(reqs));
  assert.equal(reqs[0]![0], null);
  assert.match(String(reqs[1]![0]), /^bytes=\d+-$/);
  assert.ok(bytes.length > 2 * 128 * 1024);
  assert.equal(await fx.currentCommit("radio"), "aaaaaaa1");
});

Deno.test("503 with Retry-After and redirects are followed (Node); a 404 target is final (exit 1); no server exits 75", async () => {
  const { fx } = await setup();
  await using _fx = fx;
  {
    await using server = serveStatic(fx.repo, {
      failFirst: 2,
      failPattern: /^\/targets\//,
      retryAfter: 0,
      intercept: (req, path) =>
        path.startsWith("/targets/") && !req.url.endsWith("?moved")
          ? new Response(null, { status: 302, headers: { location: `${path}?moved` } })
          : undefined,
    });
    const r = await update(fx, server, [], { runtime: "node" });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(targetRequests(server), [
      [null, 302],
      [null, 503],
      [null, 302],
      [null, 503],
      [null, 302],
      [
        null,
        200,
      ],
    ]);
  }
  await fx.publish("acme/radio", "main", "bbbbbbb2", { VERSION: "2\n" });
  {
    await using server = serveStatic(fx.repo, {
      intercept: (
        _req,
        path,
      ) => (path.startsWith("/targets/") ? new Response("gone", { status: 404 }) : undefined),
    });
    const r = await update(fx, server, [], { runtime: "node" });
    assert.equal(r.code, 1, r.stderr);
    const doc = jsonOf(r);
    assert.equal(doc.check.apps[0].action, "failed");
    assert.equal(doc.check.apps[0].error.code, "E_NOT_FOUND");
    assert.equal(targetRequests(server).length, 1, "4xx is not retried");
  }
  const down = await drover([
    "check",
    ...fx.args(),
    "--api",
    "http://127.0.0.1:9/",
    "--retries",
    "1",
    "--json",
  ], { runtime: "node" });
  assert.equal(down.code, 75, down.stderr);
  assert.equal(jsonOf(down).errors[0].code, "E_TRANSIENT");
  const status = JSON.parse(await Deno.readTextFile(join(fx.ws, "status.json")));
  assert.equal(status.lastCheck.ok, false);
  assert.equal(status.lastCheck.error.code, "E_TRANSIENT");
  assert.equal(await fx.currentCommit("radio"), "aaaaaaa1");
});

Deno.test("a stalled body hits the idle timeout and the run exits 75, keeping the .part (Node)", async () => {
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
  const r = await update(fx, server, ["--timeout", "0.5", "--retries", "0"], { runtime: "node" });
  for (const c of stalls) {
    try {
      c.close();
    } catch { /* already cancelled when the client went away */ }
  }
  assert.equal(r.code, 75, r.stderr);
  assert.match(jsonOf(r).check.apps[0].error.message, /no data for 500 ms/);
  assert.equal((await Deno.stat(part)).size, 20_000);
  assert.equal(await fx.currentCommit("radio"), "0000000");
});
