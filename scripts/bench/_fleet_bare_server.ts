/**
 * Child process of the fleet benchmark: the baseline. A bare `Deno.serve` on 127.0.0.1 that takes
 * `POST /v1/devices/<id>/checkin` and writes the check-in to the fleet database `DB` with the same
 * SQL as the fleet store (counter and last seen, device type and versions, apps and labels made
 * exactly the inventory's, in one `BEGIN IMMEDIATE` transaction, same pragmas, same schema and
 * triggers): no signature, no validation, no framework, no request log. Answers `{"rollouts":{}}`.
 * Prints `listening on http://127.0.0.1:PORT/` on stderr.
 *
 * Usage: deno run -A scripts/bench/_fleet_bare_server.ts DB
 * @module
 */
import { DatabaseSync } from "node:sqlite";

const path = Deno.args[0];
if (!path) throw new TypeError("Cannot run: usage DB");
const db = new DatabaseSync(path);
db.exec(
  "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON",
);
const advance = db.prepare(
  `UPDATE devices SET counter = ?2, last_seen = ?3, device_type = ?4, os_version = ?5,
  drover_version = ?6 WHERE id = ?1`,
);
const dropApps = db.prepare(`DELETE FROM device_apps WHERE device_id = ?1
  AND name NOT IN (SELECT json_extract(value, '$.name') FROM json_each(?2))`);
const upsertApps = db.prepare(
  `INSERT INTO device_apps (device_id, name, ref, commit_id, serial, sha256, release_id)
  SELECT ?1, json_extract(value, '$.name'), json_extract(value, '$.ref'), json_extract(value, '$.commit'),
    json_extract(value, '$.serial'), json_extract(value, '$.sha256'), json_extract(value, '$.releaseId')
  FROM json_each(?2) WHERE true
  ON CONFLICT (device_id, name) DO UPDATE SET ref = excluded.ref, commit_id = excluded.commit_id,
    serial = excluded.serial, sha256 = excluded.sha256, release_id = excluded.release_id
  WHERE ref IS NOT excluded.ref OR commit_id IS NOT excluded.commit_id OR serial IS NOT excluded.serial
    OR sha256 IS NOT excluded.sha256 OR release_id IS NOT excluded.release_id`,
);
const dropLabels = db.prepare(
  "DELETE FROM device_labels WHERE device_id = ?1 AND key NOT IN (SELECT key FROM json_each(?2))",
);
const upsertLabels = db.prepare(`INSERT INTO device_labels (device_id, key, value)
  SELECT ?1, key, value FROM json_each(?2) WHERE true
  ON CONFLICT (device_id, key) DO UPDATE SET value = excluded.value WHERE value IS NOT excluded.value`);
const PATH = /^\/v1\/devices\/(d_[0-9a-f]{32})\/checkin$/;

Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => console.error(`listening on http://127.0.0.1:${port}/`),
}, async (req) => {
  const url = req.url;
  const id = PATH.exec(url.slice(url.indexOf("/", url.indexOf("//") + 2)))?.[1];
  if (req.method !== "POST" || !id) return new Response(null, { status: 404 });
  const inventory = JSON.parse(await req.text());
  const counter = Number(req.headers.get("drover-counter"));
  db.exec("BEGIN IMMEDIATE");
  try {
    const { changes } = advance.run(
      id,
      counter,
      Date.now(),
      inventory.deviceType,
      inventory.osVersion ?? null,
      inventory.droverVersion,
    );
    if (changes === 0) throw new Error(`no device ${id}`);
    const apps = JSON.stringify(inventory.apps), labels = JSON.stringify(inventory.labels);
    dropApps.run(id, apps);
    upsertApps.run(id, apps);
    dropLabels.run(id, labels);
    upsertLabels.run(id, labels);
    db.exec("COMMIT");
  } catch (error) {
    db.exec("ROLLBACK");
    return Response.json({ error: { code: "E_BARE", message: String(error) } }, { status: 500 });
  }
  return Response.json({ rollouts: {} });
});
