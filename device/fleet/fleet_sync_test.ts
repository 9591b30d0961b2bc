import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { verifyDeviceRequest } from "../../core/fleet/device_request.ts";
import { readEnrollment, writeEnrollment } from "./enrollment.ts";
import { syncFleet } from "./fleet_sync.ts";
import { IdentityStore } from "./identity_store.ts";
import { InterruptedError } from "../cli/interrupted_error.ts";
import { ReportSpool } from "./report_spool.ts";
import { readRolloutHolds } from "../rollout/rollout_holds_file.ts";

type Answer = (path: string, body: string) => Response;

/** A workspace enrolled with a fleet API on 127.0.0.1 whose answers the test picks; requests verified. */
async function withEnrolled(
  fn: (o: { ws: string; paths: string[]; answer: (a: Answer) => void; id: string }) => Promise<void>,
): Promise<void> {
  const ws = await mkdtemp(join(tmpdir(), "fleet-sync-test-"));
  const store = new IdentityStore(ws);
  const { identity } = await store.create();
  const paths: string[] = [];
  let answer: Answer = (path) =>
    path.endsWith("/reports")
      ? Response.json({ accepted: 1, duplicates: 0 })
      : Response.json({ rollouts: {} });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const body = await req.text();
    await verifyDeviceRequest(req, { body, publicKey: () => identity.publicKey });
    const path = new URL(req.url).pathname;
    paths.push(path);
    return answer(path, body);
  });
  try {
    await writeEnrollment(store.paths.enrollment, {
      version: 1,
      deviceId: identity.id,
      api: `http://127.0.0.1:${server.addr.port}/`,
      state: "pending",
      labels: {},
      at: new Date().toISOString(),
    });
    await fn({ ws, paths, answer: (a) => (answer = a), id: identity.id });
  } finally {
    await server.shutdown();
    await rm(ws, { recursive: true, force: true });
  }
}

function io() {
  const err: string[] = [];
  return {
    err,
    io: { stdout: () => {}, stderr: (t: string) => void err.push(t), env: {}, stderrIsTTY: false },
  };
}

const EVENT = { app: "acme/radio", commit: "68200ec", stage: "install" as const, result: "ok" as const };

Deno.test("syncFleet() checks in, sends the spool and empties it once acknowledged", async () => {
  await withEnrolled(async ({ ws, paths, id }) => {
    const spool = new ReportSpool(join(ws, "reports"));
    await spool.add({ ...EVENT, at: new Date().toISOString() });
    const o = io();
    const result = await syncFleet(ws, { io: o.io });
    assert.deepEqual(paths, [`/v1/devices/${id}/checkin`, `/v1/devices/${id}/reports`]);
    assert.equal(result?.checkIn, "ok");
    assert.deepEqual(result?.reports, { sent: 1, accepted: 1, duplicates: 0, dropped: 0, batches: 1 });
    assert.equal((await new ReportSpool(join(ws, "reports")).summary()).events, 0);
    assert.deepEqual(o.err, []);
  });
});

Deno.test("syncFleet() records `rejected` on a 403 and the state an answer carries; warns, never throws", async () => {
  await withEnrolled(async ({ ws, answer }) => {
    const path = join(ws, "identity/enrollment.json");
    answer(() => Response.json({ rollouts: {}, state: "accepted" }));
    await syncFleet(ws, io());
    assert.equal((await readEnrollment(path))?.state, "accepted");
    answer(() => Response.json({ error: { code: "E_FORBIDDEN", message: "rejected" } }, { status: 403 }));
    const o = io();
    const result = await syncFleet(ws, { io: o.io });
    assert.equal(result?.checkIn, "failed");
    assert.equal((await readEnrollment(path))?.state, "rejected");
    assert.match(o.err.join(""), /^drover: fleet: Cannot check in at .*HTTP 403 E_FORBIDDEN: rejected\n/);
  });
});

Deno.test("syncFleet() hints at enrolling again when the edge does not know the device (401)", async () => {
  await withEnrolled(async ({ ws, answer }) => {
    answer(() => Response.json({ error: { code: "E_SIGNATURE", message: "not enrolled" } }, { status: 401 }));
    const o = io();
    await syncFleet(ws, { io: o.io });
    assert.match(
      o.err[0]!,
      /HTTP 401 E_SIGNATURE: not enrolled \(run drover enroll to register this device again\)/,
    );
  });
});

Deno.test("syncFleet() of a run a signal stopped: no request, no warning, the reports wait for the next run", async () => {
  await withEnrolled(async ({ ws, paths, answer, id }) => {
    const spool = new ReportSpool(join(ws, "reports"));
    await spool.add({ ...EVENT, at: new Date().toISOString() });
    // stopped before the sync: nothing sent
    const stopped = new AbortController();
    stopped.abort(new InterruptedError("SIGTERM"));
    const before = io();
    const result = await syncFleet(ws, { io: { ...before.io, signal: stopped.signal } });
    assert.deepEqual([result?.checkIn, result?.reports], ["skipped", "skipped"]);
    assert.deepEqual(paths, []);
    assert.deepEqual(before.err, [], "the edge was not out of reach");
    // stopped while the reports are on their way: cut short, not a warning
    const during = new AbortController();
    answer((path) => {
      if (!path.endsWith("/reports")) return Response.json({ rollouts: {} });
      during.abort(new InterruptedError("SIGINT"));
      return new Response(new ReadableStream({ pull: () => new Promise(() => {}) })); // no answer
    });
    const o = io();
    const cut = await syncFleet(ws, { io: { ...o.io, signal: during.signal } });
    assert.deepEqual(paths, [`/v1/devices/${id}/checkin`, `/v1/devices/${id}/reports`]);
    assert.equal(cut?.reports, "failed");
    assert.deepEqual(o.err, [], "no 'Cannot reach …: interrupted'");
    assert.equal((await new ReportSpool(join(ws, "reports")).summary()).events, 1, "still waiting");
  });
});

Deno.test("syncFleet() sends nothing when the key is not the one enrolled, or the device is not enrolled", async () => {
  await withEnrolled(async ({ ws, paths }) => {
    await new IdentityStore(ws).rotate();
    const o = io();
    const result = await syncFleet(ws, { io: o.io });
    assert.deepEqual([result?.checkIn, result?.reports], ["skipped", "skipped"]);
    assert.deepEqual(paths, []);
    assert.match(o.err[0]!, /the device key is not the one enrolled/);
    await rm(join(ws, "identity/enrollment.json"));
    assert.equal(await syncFleet(ws, io()), undefined);
    assert.deepEqual(paths, []);
  });
});

Deno.test("syncFleet() saves the check-in answer's rollout holds; a malformed answer keeps the last ones", async () => {
  await withEnrolled(async ({ ws, paths, answer, id }) => {
    answer(() => Response.json({ rollouts: { "acme:radio:main:2:bbbbbbb": { cap: 10, state: "paused" } } }));
    const o = io();
    const first = await syncFleet(ws, { io: o.io, checkInOnly: true });
    assert.deepEqual(paths, [`/v1/devices/${id}/checkin`], "checkInOnly sends no reports");
    assert.deepEqual({ ...first?.rollouts }, { "acme:radio:main:2:bbbbbbb": { cap: 10, state: "paused" } });
    const saved = await readRolloutHolds(ws);
    assert.equal(saved?.deviceId, id);
    assert.deepEqual({ ...saved?.rollouts }, { ...first?.rollouts });
    answer(() => Response.json({ rollouts: { "acme:radio:main:2:bbbbbbb": { cap: 250 } } }));
    const bad = await syncFleet(ws, { io: o.io, checkInOnly: true });
    assert.equal(bad?.rollouts, undefined);
    assert.match(
      o.err.join(""),
      /drover: fleet: Cannot read rollout holds: .*cap 250 is not in \[0, 100\]; the last holds known stay/,
    );
    assert.deepEqual({ ...(await readRolloutHolds(ws))?.rollouts }, { ...first?.rollouts });
  });
});

Deno.test("syncFleet() skips a check-in whose inventory was sent already in the run, and still sends reports", async () => {
  await withEnrolled(async ({ ws, paths, id }) => {
    const o = io();
    const first = await syncFleet(ws, { io: o.io, checkInOnly: true });
    assert.equal(first?.checkIn, "ok");
    assert.equal(typeof first?.inventory, "string");
    const again = await syncFleet(ws, { io: o.io, sameInventory: first?.inventory });
    assert.deepEqual([again?.checkIn, again?.reports], ["skipped", {
      sent: 0,
      accepted: 0,
      duplicates: 0,
      dropped: 0,
      batches: 0,
    }]);
    const checkin = `/v1/devices/${id}/checkin`;
    assert.deepEqual(paths, [checkin], "nothing changed, nothing to send");
    const spool = new ReportSpool(join(ws, "reports"));
    await spool.add({ ...EVENT, at: new Date().toISOString() });
    const changed = await syncFleet(ws, { io: o.io, sameInventory: "{}" });
    assert.equal(changed?.checkIn, "ok");
    assert.deepEqual(paths, [checkin, checkin, `/v1/devices/${id}/reports`]);
    assert.deepEqual(o.err, []);
  });
});

Deno.test("syncFleet() sends the apps registered with nothing installed as `tracked`; an edge refusing it gets the inventory without", async () => {
  await withEnrolled(async ({ ws, paths, answer, id }) => {
    const target = join(ws, "apps");
    await mkdir(join(target, "hello"), { recursive: true });
    await writeFile(
      join(target, "hello/.drover-app.json"),
      JSON.stringify({ name: "acme/hello", ref: "main" }),
    );
    const hold = { "acme:hello:main:1:1111111": { cap: 0, state: "halted" } };
    const bodies: unknown[] = [];
    answer((_, body) => {
      bodies.push(JSON.parse(body));
      return Response.json({ state: "accepted", rollouts: hold });
    });
    const o = io();
    const result = await syncFleet(ws, { io: o.io, target, checkInOnly: true });
    assert.deepEqual(bodies.map((b) => (b as { tracked?: unknown }).tracked), [[{
      name: "acme/hello",
      ref: "main",
    }]]);
    assert.deepEqual({ ...result?.rollouts }, hold);
    // an edge from before `tracked` (its parser refuses unknown fields)
    bodies.length = 0;
    answer((_, body) => {
      bodies.push(JSON.parse(body));
      return "tracked" in JSON.parse(body)
        ? Response.json({
          error: {
            code: "E_BAD_REQUEST",
            message: "Cannot read inventory: $ has an unknown field 'tracked'",
          },
        }, { status: 400 })
        : Response.json({ state: "accepted", rollouts: {} });
    });
    const older = await syncFleet(ws, { io: o.io, target, checkInOnly: true });
    assert.equal(older?.checkIn, "ok");
    assert.deepEqual(bodies.map((b) => "tracked" in (b as object)), [true, false]);
    assert.deepEqual(paths, Array(3).fill(`/v1/devices/${id}/checkin`));
    assert.deepEqual(o.err, []);
  });
});
