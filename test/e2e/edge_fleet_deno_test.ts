import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { type DenoEdge, startDenoEdge } from "../edge/deno_child.ts";
import { FsStorage } from "../../edge/storage/fs_storage.ts";
import { writeKeys } from "../../edge/key_files.ts";
import { fixtureKeys, writeFixture } from "../edge/fixture.ts";
import { ENROLL_TOKEN, OPERATOR_TOKEN, runFleetSuite } from "../edge/fleet_suite.ts";
import { operator, reportEvent, TestDevice } from "../edge/fleet_suite_device.ts";
import type { FetchLike } from "../edge/suite_case.ts";

const ENV = {
  DROVER_OPERATOR_TOKEN: OPERATOR_TOKEN,
  DROVER_ENROLL_TOKEN: ENROLL_TOKEN,
  // these tests flood on purpose: the rate limit has its own test
  DROVER_DEVICE_BURST: "100000",
  DROVER_DEVICE_RATE_PER_MINUTE: "1000000",
};

async function dataDir(prefix: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix });
  const keys = await fixtureKeys();
  await writeFixture(new FsStorage(dir), keys);
  await writeKeys(`${dir}/keys`, keys);
  return dir;
}

const fetchOf = (edge: DenoEdge): FetchLike => (path, init) => fetch(edge.url + path, init);

/** Every event id stored in the fleet database at `path`. */
function storedEventIds(path: string): Set<string> {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return new Set(db.prepare("SELECT event_id FROM reports").all().map((r) => String(r.event_id)));
  } finally {
    db.close();
  }
}

/**
 * Sends `batches` report batches of `size` events from `device`, each through the next of
 * `fetches` in turn; retries a batch on 409 (a counter raced) and 503 (database busy). Records the
 * ids of every batch answered 2xx in `acked`; stops quietly when the edge goes away.
 */
async function sendReports(
  device: TestDevice,
  fetches: FetchLike[],
  options: { batches: number; size: number; acked: Set<string> },
): Promise<void> {
  for (let b = 0; b < options.batches; b++) {
    const events = Array.from({ length: options.size }, () => reportEvent("acme/radio", "1111111"));
    for (let attempt = 0;; attempt++) {
      let res: Response;
      try {
        res = await device.send("POST", `/v1/devices/${device.id}/reports`, {
          body: JSON.stringify({ schema: 1, events }),
          via: fetches[b % fetches.length]!,
        });
      } catch {
        return; // the edge is gone
      }
      const text = await res.text();
      if (res.ok) {
        for (const e of events) options.acked.add(e.id);
        break;
      }
      if ((res.status === 409 || res.status === 503) && attempt < 20) continue;
      throw new Error(`report batch ${b}: ${res.status} ${text}`);
    }
  }
}

Deno.test("fleet suite over real HTTP against `deno task start` (fleet.sqlite in DROVER_DATA)", async (t) => {
  const dir = await dataDir("edge-fleet-deno-");
  try {
    const edge = await startDenoEdge(dir, {
      DROVER_OPERATOR_TOKEN: OPERATOR_TOKEN,
      DROVER_ENROLL_TOKEN: ENROLL_TOKEN,
    });
    let log = "";
    try {
      await runFleetSuite(t, { fetch: fetchOf(edge) });
    } finally {
      log = await edge.stop();
    }
    assert.match(log, /^POST \/v1\/devices 201 \d+ms$/m, "fleet requests are logged like any other");
    assert.doesNotMatch(log, /edge error|Cannot prune/);
    assert.ok((await Deno.stat(`${dir}/fleet.sqlite`)).isFile);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("two edge processes on one fleet.sqlite lose no report", async () => {
  const dir = await dataDir("edge-fleet-two-");
  try {
    const a = await startDenoEdge(dir, ENV);
    const b = await startDenoEdge(dir, ENV);
    const acked = new Set<string>();
    const devices: TestDevice[] = [];
    try {
      const fetches = [fetchOf(a), fetchOf(b)];
      for (let i = 0; i < 8; i++) {
        const device = await TestDevice.create(fetches[i % 2]!);
        assert.equal((await device.enroll({ token: ENROLL_TOKEN })).status, 201);
        devices.push(device);
      }
      await Promise.all(devices.map((d) => sendReports(d, fetches, { batches: 25, size: 4, acked })));
      assert.equal(acked.size, 8 * 25 * 4);
      for (const d of devices) {
        const detail = await operator(fetches[1]!).json(`/v1/fleet/devices/${d.id}?reports=100`);
        assert.equal((detail.reports as unknown[]).length, 100);
        assert.equal((detail.releases as { events: number }[])[0]?.events, 100, "counted exactly once");
      }
    } finally {
      await a.stop();
      await b.stop();
    }
    const stored = storedEventIds(`${dir}/fleet.sqlite`);
    assert.equal(stored.size, acked.size);
    for (const id of acked) assert.ok(stored.has(id), `acknowledged report ${id} is stored`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an edge killed (SIGKILL) while ingesting loses no acknowledged report", async () => {
  const dir = await dataDir("edge-fleet-kill-");
  try {
    const edge = await startDenoEdge(dir, ENV);
    const acked = new Set<string>();
    try {
      const devices: TestDevice[] = [];
      for (let i = 0; i < 12; i++) {
        const device = await TestDevice.create(fetchOf(edge));
        assert.equal((await device.enroll({ token: ENROLL_TOKEN })).status, 201);
        devices.push(device);
      }
      const sending = Promise.all(
        devices.map((d) => sendReports(d, [fetchOf(edge)], { batches: 10_000, size: 5, acked })),
      );
      while (acked.size < 1000) await new Promise((r) => setTimeout(r, 5));
      Deno.kill(edge.pid, "SIGKILL");
      await sending;
    } finally {
      await edge.stop();
    }
    assert.ok(acked.size >= 1000);
    // The restarted edge opens the database (WAL recovery) and serves what was acknowledged.
    const again = await startDenoEdge(dir, ENV);
    try {
      const summary = await operator(fetchOf(again)).json("/v1/fleet/summary");
      assert.equal((summary.devices as { accepted: number }).accepted, 12);
    } finally {
      await again.stop();
    }
    const stored = storedEventIds(`${dir}/fleet.sqlite`);
    for (const id of acked) assert.ok(stored.has(id), `acknowledged report ${id} is stored`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
