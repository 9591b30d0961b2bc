/**
 * The fleet summary stays fast at scale: 100,000 devices (200,000 installed apps) and, with
 * `DROVER_FLEET_BENCH=1`, 1,000,000 reports (else 20,000: seeding a million reports through the
 * triggers takes 15-60 s on a busy 2-core machine, and the summary reads no report anyway).
 * Seeded by SQL through the schema's own triggers, so the counters the summary reads are the ones
 * real writes maintain; then cross-checked against full scans.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { SqliteFleetStore } from "./sqlite_fleet_store.ts";

const DEVICES = 100_000;
const REPORTS = Deno.env.get("DROVER_FLEET_BENCH") === "1" ? 1_000_000 : 20_000;
const NOW = Date.parse("2026-03-01T12:00:00Z");

function seed(path: string) {
  const db = new DatabaseSync(path);
  try {
    db.exec("PRAGMA foreign_keys = ON; PRAGMA cache_size = -131072; BEGIN");
    db.prepare(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 - 1)
      INSERT INTO devices (id, public_key, state, counter, enrolled_at, last_seen, device_type)
      SELECT printf('d_%032x', i), 'k', CASE i % 10 WHEN 0 THEN 'pending' WHEN 1 THEN 'rejected' ELSE 'accepted' END,
        1, 0, ?2 - (i % 48) * 3600000, 'rpi4' FROM n`).run(DEVICES, NOW);
    db.prepare(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 - 1)
      INSERT INTO device_apps (device_id, name, ref, commit_id, serial)
      SELECT printf('d_%032x', i), 'acme/radio', 'main', printf('%07x', 1000000 + i % 5), i % 5 FROM n
      UNION ALL
      SELECT printf('d_%032x', i), 'acme/lights', CASE WHEN i % 7 = 0 THEN 'beta' ELSE 'main' END,
        printf('%07x', 2000000 + i % 3), 1 FROM n`).run(DEVICES);
    db.prepare(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 - 1)
      INSERT INTO reports (device_id, event_id, app, commit_id, stage, result, at, received_at)
      SELECT printf('d_%032x', (i * 7919) % ?2), 'evt-' || i, 'acme/radio', printf('%07x', 1000000 + i % 5),
        CASE i % 5 WHEN 0 THEN 'download' WHEN 1 THEN 'verify' WHEN 2 THEN 'install' WHEN 3 THEN 'health'
          ELSE 'rollback' END,
        CASE WHEN i % 5 = 4 THEN 'rolled_back' WHEN i % 13 = 0 THEN 'error' ELSE 'ok' END, ?3, ?3 FROM n`)
      .run(REPORTS, DEVICES, NOW);
    db.exec("COMMIT");
  } finally {
    db.close();
  }
}

function scan(path: string) {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const q = (sql: string, ...params: number[]) => db.prepare(sql).all(...params).map((r) => ({ ...r }));
    return {
      states: q("SELECT state, count(*) AS n FROM devices GROUP BY state ORDER BY state"),
      outcomes: q(
        "SELECT coalesce(li_result, 'none') AS r, count(*) AS n FROM devices GROUP BY r ORDER BY r",
      ),
      recent: q("SELECT count(*) AS n FROM devices WHERE last_seen >= ?1", NOW - 24 * 3600_000)[0]?.n,
      apps: q(`SELECT name, ref, commit_id, count(*) AS n FROM device_apps GROUP BY name, ref, commit_id
        ORDER BY name, ref, n DESC, commit_id`),
      reports: q("SELECT count(*) AS n FROM reports")[0]?.n,
    };
  } finally {
    db.close();
  }
}

Deno.test(`FleetStore.summary() over ${DEVICES} devices and ${REPORTS} reports: exact and under 100 ms`, async () => {
  const dir = await Deno.makeTempDir({ prefix: "fleet-bench-" });
  try {
    const path = `${dir}/fleet.db`;
    await (await SqliteFleetStore.open(path)).close();
    seed(path);
    const store = await SqliteFleetStore.open(path);
    try {
      const now = new Date(NOW);
      await store.summary({ now }); // warm the page cache
      const times: number[] = [];
      let summary;
      for (let i = 0; i < 5; i++) {
        const start = performance.now();
        summary = await store.summary({ now });
        times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      const expected = scan(path);
      assert.equal(expected.reports, REPORTS);
      assert.deepEqual(summary!.devices, {
        total: DEVICES,
        ...Object.fromEntries(expected.states.map((r) => [r.state, r.n])),
      });
      const byResult = Object.fromEntries(expected.outcomes.map((r) => [r.r, r.n]));
      assert.deepEqual(summary!.lastInstall, {
        ok: byResult.ok ?? 0,
        error: byResult.error ?? 0,
        rolledBack: byResult.rolled_back ?? 0,
        none: byResult.none ?? 0,
      });
      assert.equal(summary!.seen.recent, expected.recent);
      assert.deepEqual(
        summary!.apps.flatMap((a) =>
          a.commits.map((c) => ({ name: a.name, ref: a.ref, commit_id: c.commit, n: c.devices }))
        ),
        expected.apps,
      );
      assert.ok(
        times[2]! < 100,
        `median summary ${times[2]!.toFixed(1)} ms (runs: ${times.map((t) => t.toFixed(1))})`,
      );
      console.log(`summary over ${DEVICES} devices, ${REPORTS} reports: median ${times[2]!.toFixed(1)} ms`);
    } finally {
      await store.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
