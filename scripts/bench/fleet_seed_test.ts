import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { SqliteFleetStore } from "../../edge/fleet/sqlite_fleet_store.ts";
import { seedFleet } from "./fleet_seed.ts";

const NOW = Date.parse("2026-03-01T12:00:00Z");

function tables(path: string): Record<string, unknown[]> {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const q = (sql: string) => db.prepare(sql).all().map((r) => ({ ...r }));
    return {
      devices: q("SELECT * FROM devices ORDER BY id"),
      device_counts: q("SELECT * FROM device_counts WHERE devices <> 0 ORDER BY kind, key"),
      app_counts: q("SELECT * FROM app_counts ORDER BY name, ref, commit_id"),
      device_releases: q("SELECT * FROM device_releases ORDER BY device_id, app, commit_id"),
      reports: q("SELECT * FROM reports ORDER BY seq"),
      schema: q("SELECT type, name, sql FROM sqlite_master ORDER BY type, name"),
    };
  } finally {
    db.close();
  }
}

Deno.test("seedFleet() in bulk writes exactly what the report trigger writes row by row, and the store reads it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fleet-seed-" });
  try {
    const paths = { bulk: `${dir}/bulk.sqlite`, rows: `${dir}/rows.sqlite` };
    for (const path of Object.values(paths)) await (await SqliteFleetStore.open(path)).close();
    // 12 reports for each of the first 1,250 devices (every stage, error and rolled-back branch), none for 50
    const seed = { devices: 1_300, reports: 15_000, now: NOW };
    seedFleet(paths.bulk, seed);
    seedFleet(paths.rows, { ...seed, bulk: false });
    const bulk = tables(paths.bulk), rows = tables(paths.rows);
    for (const name of Object.keys(rows)) assert.deepEqual(bulk[name], rows[name], name);
    assert.equal(bulk.reports!.length, 15_000);
    assert.throws(() => seedFleet(paths.bulk, seed), /already holds devices/);
    const store = await SqliteFleetStore.open(paths.bulk);
    try {
      const summary = await store.summary({ now: new Date(NOW) });
      assert.deepEqual(summary.devices, { total: 1_300, accepted: 1_040, pending: 130, rejected: 130 });
      const li = summary.lastInstall;
      assert.equal(li.ok + li.error + li.rolledBack + li.none, summary.devices.total);
      assert.ok(li.error > 0 && li.rolledBack > 0 && li.ok > 0 && li.none === 50, JSON.stringify(li));
    } finally {
      await store.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
