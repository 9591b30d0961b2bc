/**
 * Private: applies the fleet migrations on open. Idempotent; safe when two processes (or two
 * Workers) open the same database at once (the loser's batch fails, it re-reads and goes on);
 * refuses a database whose schema is newer than this code, or whose history differs from it.
 */
import { UnsupportedError } from "../../core/errors.ts";
import type { Migration } from "./migrations.ts";
import type { SqlDriver } from "./_sql.ts";

const TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at INTEGER NOT NULL
) STRICT`;

async function applied(driver: SqlDriver, known: readonly Migration[]): Promise<number> {
  const rows = await driver.all<{ version: number; name: string }>(
    "SELECT version, name FROM schema_migrations ORDER BY version",
  );
  for (const [i, row] of rows.entries()) {
    const mine = known[row.version - 1];
    if (row.version > known.length) {
      throw new UnsupportedError(
        `Cannot open fleet database: its schema version ${row.version} is newer than this Drover knows (${known.length})`,
      );
    }
    if (row.version !== i + 1 || mine?.name !== row.name) {
      throw new UnsupportedError(
        `Cannot open fleet database: migration ${row.version} '${row.name}' is not this Drover's`,
      );
    }
  }
  return rows.length;
}

/** Brings the database to the newest schema in `migrations`; resolves with its version. */
export async function migrate(driver: SqlDriver, migrations: readonly Migration[]): Promise<number> {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new TypeError(`Cannot migrate: migration ${i} has version ${m.version}`);
  });
  await driver.batch([{ sql: TABLE }]);
  let version = await applied(driver, migrations);
  while (version < migrations.length) {
    const next = migrations[version]!;
    try {
      await driver.batch([
        ...next.statements.map((sql) => ({ sql })),
        {
          sql: "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
          params: [next.version, next.name, Date.now()],
        },
      ]);
    } catch (error) {
      // Another process may have applied it meanwhile: then its version is recorded.
      if (await applied(driver, migrations) < next.version) throw error;
    }
    version = await applied(driver, migrations);
  }
  return version;
}
