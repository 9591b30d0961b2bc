/**
 * `drover` (the bundle, under Node) against the real edge (`deno task start`, its first-start
 * repository and its fleet database): enrolment, check-in and install reports as the operator sees
 * them, a device that is not enrolled making no fleet request, and devices SIGKILLed during their
 * first update whose events all reach the edge's database once.
 */
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { runDrover, type RunResult, spawnDrover, tempDir } from "../harness.ts";
import { type DenoEdge, startDenoEdge } from "../edge/deno_child.ts";
import { jsonOf } from "./device_fixture.ts";

const OPERATOR_TOKEN = "operator-token-for-drover-e2e";
const ENROLL_TOKEN = "enroll-token-for-drover-e2e";
const HELLO = { name: "drover/hello", commit: "0123456789abcdef0123456789abcdef01234567" };
const EVENT_FILE = /^(r\d{12}-[0-9a-f]{16})\.json$/;

/** A device of the edge's first-start repository: `drover/hello` added, nothing installed. */
async function device(edge: DenoEdge, dir: string, data: string) {
  const target = join(dir, "apps"), workspace = join(dir, "ws");
  await Deno.mkdir(target, { recursive: true });
  const add = await runDrover(["add", "--target", target, "--app", HELLO.name, "--ref", "main"]);
  assert.equal(add.code, 0, add.stderr);
  const args = (
    command: string,
    ...extra: string[]
  ) => [command, "--target", target, "--workspace", workspace, "--api", edge.url, ...extra];
  return {
    target,
    workspace,
    update: args("update", "--trusted-root", join(data, "tuf/1.root.json")),
    args,
    enroll: async (...extra: string[]): Promise<RunResult> =>
      await runDrover(["enroll", "--api", edge.url, "--workspace", workspace, ...extra]),
  };
}

async function operator(edge: DenoEdge, path: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${edge.url}${path}`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
  assert.equal(res.status, 200, await res.clone().text());
  return await res.json();
}

Deno.test("drover enrolls with `deno task start`; its update's check-in and reports are what the operator sees", async () => {
  await using dir = await tempDir("drover-edge-fleet-");
  const data = dir.join("data");
  const edge = await startDenoEdge(data, {
    DROVER_OPERATOR_TOKEN: OPERATOR_TOKEN,
    DROVER_ENROLL_TOKEN: ENROLL_TOKEN,
  });
  try {
    const d = await device(edge, dir.join("d1"), data);
    const enrolled = await d.enroll("--enroll-token", ENROLL_TOKEN, "--label", "site=lab", "--json");
    assert.equal(enrolled.code, 0, enrolled.stderr);
    const { deviceId: id, state } = jsonOf(enrolled);
    assert.equal(state, "accepted");
    const again = await d.enroll();
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, `${id}\taccepted\n`, "the same identity, still accepted");

    const update = await runDrover(d.update, { env: { DROVER_OS_VERSION: "acme-os 3.1" } });
    assert.equal(update.code, 0, update.stderr);
    assert.doesNotMatch(update.stderr, /drover: fleet:/);
    const detail = await operator(edge, `/v1/fleet/devices/${id}?reports=20`);
    assert.equal(detail.state, "accepted");
    assert.deepEqual(detail.labels, { site: "lab" });
    assert.equal(detail.osVersion, "acme-os 3.1");
    const apps = detail.apps as { name: string; commit: string; serial: number | null }[];
    assert.deepEqual(apps.map((a) => [a.name, a.commit]), [[HELLO.name, HELLO.commit]]);
    const reports = (detail.reports as { stage: string; result: string }[]).toReversed();
    assert.deepEqual(reports.map((r) => `${r.stage} ${r.result}`), [
      "download ok",
      "verify ok",
      "install ok",
    ]);
    const releases = detail.releases as { commit: string; events: number; ok: number }[];
    assert.deepEqual(releases.map((r) => [r.commit, r.events, r.ok]), [[HELLO.commit, 3, 3]]);
    assert.deepEqual(
      [(detail.lastInstall as { stage: string }).stage, (detail.lastInstall as { result: string }).result],
      ["install", "ok"],
    );
    const status = jsonOf(await runDrover([...d.args("status"), "--json"]));
    assert.deepEqual([status.fleet.deviceId, status.fleet.state, status.fleet.waiting], [id, "accepted", 0]);

    // a device that is not enrolled: the same update, and not one fleet request in the edge's log
    const plain = await device(edge, dir.join("d2"), data);
    const logged = edge.log().length;
    const quiet = await runDrover(plain.update);
    assert.equal(quiet.code, 0, quiet.stderr);
    await new Promise((r) => setTimeout(r, 200)); // the log line follows the answer
    const lines = edge.log().slice(logged);
    assert.match(lines, /^GET \/tuf\/timestamp\.json/m, "the update was logged");
    assert.doesNotMatch(lines, /\/v1\/devices/);
  } finally {
    await edge.stop();
  }
});

Deno.test("devices SIGKILLed during their first update: a later run delivers every spooled event to the edge once", async () => {
  await using dir = await tempDir("drover-edge-fleet-kill-");
  const data = dir.join("data");
  const edge = await startDenoEdge(data, {
    DROVER_OPERATOR_TOKEN: OPERATOR_TOKEN,
    DROVER_ENROLL_TOKEN: ENROLL_TOKEN,
  });
  const seen = new Map<string, Set<string>>(); // device id -> event ids seen in its spool after the kill
  try {
    // one uninterrupted first update to learn how long it takes
    const probe = await device(edge, dir.join("probe"), data);
    assert.equal((await probe.enroll("--enroll-token", ENROLL_TOKEN)).code, 0);
    const started = performance.now();
    assert.equal((await runDrover(probe.update)).code, 0);
    const duration = performance.now() - started;
    for (let i = 0; i < 6; i++) {
      const d = await device(edge, dir.join(`d${i}`), data);
      const enrolled = await d.enroll("--enroll-token", ENROLL_TOKEN);
      assert.equal(enrolled.code, 0, enrolled.stderr);
      const id = enrolled.stdout.split("\t")[0]!;
      const child = await spawnDrover(d.update);
      if (i === 0) {
        // on purpose: as soon as the first event is in the spool
        const spool = join(d.workspace, "reports");
        const deadline = Date.now() + 30_000;
        while (!(await readdir(spool).catch(() => [] as string[])).some((n) => EVENT_FILE.test(n))) {
          assert.ok(Date.now() < deadline, "no event was spooled");
          await new Promise((r) => setTimeout(r, 2));
        }
      } else {
        await new Promise((r) => setTimeout(r, (i / 6) * duration)); // spread over the run
      }
      try {
        child.kill("SIGKILL");
      } catch { /* already exited */ }
      await child.status;
      const names = await readdir(join(d.workspace, "reports")).catch(() => [] as string[]);
      seen.set(id, new Set(names.flatMap((n) => EVENT_FILE.exec(n)?.[1] ?? [])));
      const finish = await runDrover(d.update);
      assert.equal(finish.code, 0, finish.stderr);
      const status = jsonOf(await runDrover([...d.args("status"), "--json"]));
      assert.equal(status.fleet.waiting, 0);
      const detail = await operator(edge, `/v1/fleet/devices/${id}?reports=100`);
      const reports = detail.reports as { stage: string; result: string }[];
      assert.ok(
        reports.some((r) => r.stage === "install" && r.result === "ok"),
        `device ${i}: install reported`,
      );
      const releases = detail.releases as { events: number }[];
      assert.equal(
        releases.reduce((n, r) => n + r.events, 0),
        reports.length,
        `device ${i}: counted once each`,
      );
    }
  } finally {
    await edge.stop();
  }
  const spooled = [...seen.values()].reduce((n, ids) => n + ids.size, 0);
  assert.ok(spooled > 0, "no kill left an event in a spool: the test proves nothing");
  console.log(`events in spools after the kills: ${[...seen.values()].map((ids) => ids.size).join(", ")}`);
  const db = new DatabaseSync(join(data, "fleet.sqlite"), { readOnly: true });
  try {
    for (const [id, ids] of seen) {
      const rows = db.prepare("SELECT event_id FROM reports WHERE device_id = ?").all(id).map((r) =>
        String(r.event_id)
      );
      assert.equal(new Set(rows).size, rows.length);
      for (const e of ids) assert.ok(rows.includes(e), `${id}: spooled event ${e} never reached the edge`);
    }
  } finally {
    db.close();
  }
});
