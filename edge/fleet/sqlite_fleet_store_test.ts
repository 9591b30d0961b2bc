import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { SqliteFleetStore } from "./sqlite_fleet_store.ts";
import { REPORTS_KEPT_PER_DEVICE } from "./fleet_store.ts";
import { runStoreSuite } from "./_store_suite.ts";
import { event, newDevice, T0 } from "./_store_fixtures.ts";
import { rolloutRelease } from "./_store_cases_rollouts.ts";
import { TransientError } from "../../core/errors.ts";

function rawSql(path: string, sql: string, params: (string | number | null)[] = []) {
  const db = new DatabaseSync(path);
  try {
    return db.prepare(sql).all(...params) as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

Deno.test("FleetStore suite on SQLite (node:sqlite, a temp file per case)", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "fleet-sqlite-" });
  let n = 0;
  try {
    await runStoreSuite(t, {
      fresh() {
        const path = `${dir}/fleet-${++n}.db`;
        return Promise.resolve({
          open: () => SqliteFleetStore.open(path),
          sql: (sql, params) => Promise.resolve(rawSql(path, sql, params)),
        });
      },
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SqliteFleetStore: WAL mode on a file, ':memory:' works, bad options refused", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fleet-sqlite-" });
  try {
    const store = await SqliteFleetStore.open(`${dir}/fleet.db`);
    try {
      assert.deepEqual(rawSql(`${dir}/fleet.db`, "PRAGMA journal_mode").map((r) => ({ ...r })), [{
        journal_mode: "wal",
      }]);
    } finally {
      await store.close();
    }
    {
      await using memory = await SqliteFleetStore.open(":memory:");
      assert.equal((await memory.summary()).devices.total, 0);
    }
    await assert.rejects(SqliteFleetStore.open(":memory:", { busyTimeoutMs: -1 }), RangeError);
    await assert.rejects(SqliteFleetStore.open(`${dir}/missing/dir/fleet.db`), Error);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const WRITER = `
import { SqliteFleetStore } from ${JSON.stringify(new URL("./sqlite_fleet_store.ts", import.meta.url).href)};
const [path, id, batches, size] = Deno.args;
const store = await SqliteFleetStore.open(path);
try {
  for (let b = 0; b < Number(batches); b++) {
    const events = Array.from({ length: Number(size) }, (_, i) => ({
      id: "evt-" + id.slice(2, 10) + "-" + b + "-" + i, app: "acme/radio", commit: "1111111",
      stage: "install", result: i % 3 === 0 ? "error" : "ok", at: "2026-03-01T12:00:00Z",
    }));
    const r = await store.recordReports(id, events, { counter: 2 + 2 * b });
    if (r.accepted !== events.length) throw new Error("lost " + JSON.stringify(r));
    await store.recordCheckIn(id, { schema: 1, deviceType: "rpi4", droverVersion: "0.1.0", labels: {},
      apps: [{ name: "acme/radio", ref: "main", commit: b % 2 ? "1111111" : "2222222", serial: b, sha256: null,
        releaseId: null }] }, { counter: 3 + 2 * b });
  }
} finally {
  await store.close();
}
`;

Deno.test("SqliteFleetStore: two processes writing to one file lose no report and no count", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fleet-sqlite-" });
  const path = `${dir}/fleet.db`;
  try {
    const store = await SqliteFleetStore.open(path);
    const devices = [await newDevice(), await newDevice()];
    for (const d of devices) await store.enroll({ ...d, state: "accepted", counter: 1 });
    // The parent keeps its connection and writes too, while the children run.
    const batches = 60, size = 10;
    const children = devices.map((d) =>
      new Deno.Command(Deno.execPath(), {
        args: ["eval", "--quiet", "--no-check", WRITER, path, d.id, String(batches), String(size)],
        stdout: "piped",
        stderr: "piped",
      }).output()
    );
    const own = await newDevice();
    await store.enroll({ ...own, counter: 1 });
    for (let i = 0; i < 30; i++) {
      await store.recordReports(own.id, [event("acme/radio", "1111111", "download", "ok")], {
        counter: 2 + i,
      });
    }
    for (const out of await Promise.all(children)) {
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    }
    const total = Number(rawSql(path, "SELECT count(*) AS n FROM reports")[0]?.n);
    assert.equal(total, 2 * Math.min(batches * size, REPORTS_KEPT_PER_DEVICE) + 30, "the newest kept");
    for (const d of devices) {
      const detail = (await store.getDevice(d.id))!;
      assert.deepEqual(
        detail.releases.map(({ events, ok, error }) => ({ events, ok, error })),
        [{ events: batches * size, ok: batches * 6, error: batches * 4 }],
      );
      assert.equal(detail.apps[0]?.serial, batches - 1);
    }
    const summary = await store.summary();
    assert.deepEqual(summary.apps, [{
      name: "acme/radio",
      ref: "main",
      devices: 2,
      commits: [{ commit: "1111111", devices: 2 }],
    }]);
    await store.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SqliteFleetStore: processes opening one new file at the same moment all open it (WAL switch retried)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fleet-sqlite-open-" });
  try {
    const path = `${dir}/fleet.sqlite`;
    const store = new URL("./sqlite_fleet_store.ts", import.meta.url).href;
    const code = `const { SqliteFleetStore } = await import(${JSON.stringify(store)});
      const at = Number(Deno.args[0]); while (Date.now() < at) {}
      const s = await SqliteFleetStore.open(Deno.args[1]); await s.close();`;
    for (let round = 0; round < 3; round++) {
      await Deno.remove(path).catch(() => {});
      await Deno.remove(`${path}-wal`).catch(() => {});
      await Deno.remove(`${path}-shm`).catch(() => {});
      const at = Date.now() + 1500;
      const outs = await Promise.all(
        [0, 1, 2, 3].map(() =>
          new Deno.Command(Deno.execPath(), {
            args: ["eval", "--quiet", code, String(at), path],
            stdout: "piped",
            stderr: "piped",
          }).output()
        ),
      );
      for (const out of outs) assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    }
    assert.equal(rawSql(path, "PRAGMA journal_mode")[0]?.journal_mode, "wal");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SqliteFleetStore: rollout writes on a busy database are TransientErrors (503 E_TRANSIENT), as every write", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fleet-sqlite-busy-" });
  const path = `${dir}/fleet.sqlite`;
  const store = await SqliteFleetStore.open(path, { busyTimeoutMs: 100 });
  const holder = new DatabaseSync(path);
  try {
    const release = rolloutRelease("2222222", 2), id = release.rollout.id;
    assert.equal(await store.syncRollouts([release], { now: T0 }), 1);
    holder.exec("BEGIN EXCLUSIVE");
    const busy = (error: unknown) => {
      assert.ok(error instanceof TransientError, String(error));
      assert.equal(error.code, "E_TRANSIENT");
      assert.match(error.message, /^Cannot write fleet database: busy/);
      return true;
    };
    await assert.rejects(
      store.updateRollout(id, { state: "paused", cap: 0, reason: null }, { from: ["running"] }),
      busy,
    );
    await assert.rejects(store.syncRollouts([rolloutRelease("3333333", 3)], { now: T0 }), busy);
    assert.equal((await store.getRollout(id))?.state, "running", "reads go on");
    holder.exec("ROLLBACK");
    assert.ok(
      await store.updateRollout(id, { state: "paused", cap: 0, reason: null }, { from: ["running"] }),
    );
  } finally {
    holder.close();
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
