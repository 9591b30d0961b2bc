import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TransientError } from "../../core/errors.ts";
import { generateDeviceKey, loadDeviceIdentity, verifyDeviceRequest } from "../../core/fleet/mod.ts";
import { FleetClient } from "./fleet_client.ts";
import { FleetRequestError } from "./fleet_request_error.ts";
import { RequestCounter } from "./request_counter.ts";

interface Seen {
  path: string;
  counter: number;
  authorization: string | null;
  body: unknown;
}

/**
 * A fleet API on 127.0.0.1 that verifies every signature (core/fleet) and refuses counters that
 * do not grow (409); `answer` may replace the answer to a verified request.
 */
async function withEdge(
  fn: (edge: { url: string; seen: Seen[]; answer?: (seen: Seen) => Response | undefined }) => Promise<void>,
): Promise<void> {
  const keys = new Map<string, string>();
  const last = new Map<string, number>();
  const hanging: (() => void)[] = [];
  const edge: { url: string; seen: Seen[]; answer?: (seen: Seen) => Response | undefined } = {
    url: "",
    seen: [],
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/hang") {
      await new Promise<void>((resolve) => hanging.push(resolve)); // answered at shutdown only
      return new Response(null, { status: 204 });
    }
    const text = await req.text();
    const body = JSON.parse(text);
    try {
      const v = await verifyDeviceRequest(req, {
        body: text,
        publicKey: (id) => path.endsWith("/v1/devices") ? body.publicKey : keys.get(id),
      });
      if (path.endsWith("/v1/devices")) keys.set(v.deviceId, body.publicKey);
      const seen = { path, counter: v.counter, authorization: req.headers.get("authorization"), body };
      edge.seen.push(seen);
      const replaced = edge.answer?.(seen);
      if (replaced) return replaced;
      if (v.counter <= (last.get(v.deviceId) ?? 0)) {
        return Response.json({ error: { code: "E_REPLAY", message: "old" } }, { status: 409 });
      }
      last.set(v.deviceId, v.counter);
      if (path.endsWith("/v1/devices")) {
        return Response.json({ id: v.deviceId, state: "pending", labels: {} });
      }
      if (path.endsWith("/reports")) return Response.json({ accepted: body.events.length, duplicates: 0 });
      return Response.json({ rollouts: {} });
    } catch (error) {
      return Response.json({ error: { code: "E_SIGNATURE", message: (error as Error).message } }, {
        status: 401,
      });
    }
  });
  edge.url = `http://127.0.0.1:${server.addr.port}/`;
  try {
    await fn(edge);
  } finally {
    for (const resolve of hanging) resolve();
    await server.shutdown();
  }
}

async function client(url: string, options: Partial<ConstructorParameters<typeof FleetClient>[1]> = {}) {
  const dir = await mkdtemp(join(tmpdir(), "fleet-client-test-"));
  const identity = await loadDeviceIdentity(await generateDeviceKey());
  const counter = new RequestCounter(join(dir, "counter.json"), { deviceId: identity.id });
  return {
    identity,
    counter,
    client: new FleetClient(url, { identity, counter, timeoutMs: 5000, ...options }),
    [Symbol.asyncDispose]: () => rm(dir, { recursive: true, force: true }),
  };
}

const INVENTORY = { schema: 1 as const, deviceType: "rpi4", droverVersion: "0.1.0", apps: [], labels: {} };

Deno.test("FleetClient signs every request with the identity and a new persisted counter", async () => {
  await withEdge(async (edge) => {
    await using c = await client(edge.url);
    assert.deepEqual(await c.client.enroll({ labels: { site: "north" } }, { token: "t0k3n-secret" }), {
      id: c.identity.id,
      state: "pending",
    });
    assert.deepEqual(await c.client.checkIn(INVENTORY), { rollouts: {} });
    const event = {
      id: "r000000000001-0123456789abcdef",
      app: "a/b",
      commit: "abcdef0",
      stage: "install" as const,
    };
    const answer = await c.client.sendReports({
      schema: 1,
      events: [{ ...event, result: "ok", at: "2026-01-01T00:00:00Z" }],
    });
    assert.deepEqual(answer, { accepted: 1, duplicates: 0 });
    assert.deepEqual(edge.seen.map((s) => [s.path, s.counter]), [
      ["/v1/devices", 1],
      [`/v1/devices/${c.identity.id}/checkin`, 2],
      [`/v1/devices/${c.identity.id}/reports`, 3],
    ]);
    assert.equal(edge.seen[0]!.authorization, "Bearer t0k3n-secret");
    assert.deepEqual(edge.seen[0]!.body, { publicKey: c.identity.publicKey, labels: { site: "north" } });
    assert.equal(edge.seen[1]!.authorization, null);
    assert.equal(await c.counter.current(), 3);
  });
});

Deno.test("FleetClient answers a 409 (counter refused as a replay) by retrying with a new counter", async () => {
  await withEdge(async (edge) => {
    await using c = await client(edge.url);
    await c.client.enroll({ labels: {} }); // counter 1
    let refused = 0;
    // another request of this device got counter 2 in first
    edge.answer = (seen) => {
      if (seen.counter !== 2) return undefined;
      refused++;
      return Response.json({ error: { code: "E_REPLAY", message: "counter 2 is not above 2" } }, {
        status: 409,
      });
    };
    assert.deepEqual(await c.client.checkIn(INVENTORY), { rollouts: {} });
    assert.equal(refused, 1);
    assert.deepEqual(edge.seen.map((s) => s.counter), [1, 2, 3]);
  });
});

Deno.test("FleetClient: 429 and 5xx are transient (Retry-After kept, retried when asked); 401 and 403 are final", async () => {
  await withEdge(async (edge) => {
    await using c = await client(edge.url, { retries: 1, baseDelayMs: 1 });
    await c.client.enroll({ labels: {} });
    let n = 0;
    edge.answer = () =>
      n++ === 0
        ? Response.json({ error: { code: "E_RATE_LIMITED", message: "slow down" } }, {
          status: 429,
          headers: { "retry-after": "0" },
        })
        : undefined;
    assert.deepEqual(await c.client.checkIn(INVENTORY), { rollouts: {} });
    assert.equal(n, 2);

    await using once = await client(edge.url);
    await once.client.enroll({ labels: {} });
    edge.answer = () =>
      Response.json({ error: { code: "E_BUSY", message: "later" } }, {
        status: 503,
        headers: { "retry-after": "7" },
      });
    await assert.rejects(once.client.checkIn(INVENTORY), (e: unknown) => {
      assert.ok(e instanceof TransientError, String(e));
      assert.equal((e as { retryAfterMs?: number }).retryAfterMs, 7000);
      assert.match(e.message, /HTTP 503 E_BUSY: later/);
      return true;
    });
    edge.answer = () =>
      Response.json({ error: { code: "E_FORBIDDEN", message: "device is rejected\u001b[31m" } }, {
        status: 403,
      });
    await assert.rejects(once.client.checkIn(INVENTORY), (e: unknown) => {
      assert.ok(e instanceof FleetRequestError);
      assert.equal(e.status, 403);
      assert.equal(e.serverCode, "E_FORBIDDEN");
      assert.equal(e.code, "E_FLEET");
      assert.ok(!e.message.includes("\u001b"), "control characters removed");
      return true;
    });
    edge.answer = undefined;
    // never enrolled here: the edge does not know the key
    await using stranger = await client(edge.url);
    await assert.rejects(stranger.client.checkIn(INVENTORY), { name: "FleetRequestError", status: 401 });
  });
});

Deno.test("FleetClient gives up on an edge that does not answer within timeoutMs (transient)", async () => {
  await withEdge(async (edge) => {
    await using c = await client(new URL("hang", edge.url).href, { timeoutMs: 300 });
    // a base with a path: requests go below it
    assert.equal(c.client.api.href, `${edge.url}hang/`);
    await using h = await client(edge.url, { timeoutMs: 300 });
    const hanging = new FleetClient(edge.url, {
      identity: h.identity,
      counter: h.counter,
      timeoutMs: 300,
      fetch: (_input, init) => fetch(new URL("hang", edge.url), init),
    });
    const started = performance.now();
    await assert.rejects(hanging.checkIn(INVENTORY), (e: unknown) => {
      assert.ok(e instanceof TransientError);
      assert.match(e.message, /no answer in 300 ms/);
      return true;
    });
    assert.ok(performance.now() - started < 3000);
    assert.throws(
      () => new FleetClient("file:///tmp/x", { identity: h.identity, counter: h.counter }),
      TypeError,
    );
  });
});
