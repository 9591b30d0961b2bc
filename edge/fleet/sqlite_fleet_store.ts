/**
 * The fleet store on SQLite through `node:sqlite` (Deno 2.2+, Node 22.5+): the embedded default,
 * one file in `DROVER_DATA`. WAL mode (readers never block the writer) with `synchronous=NORMAL`,
 * a busy timeout so that several processes sharing the file wait for each other instead of
 * failing, and every write in one `BEGIN IMMEDIATE` transaction. Migrations run on open.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SqliteFleetStore } from "./sqlite_fleet_store.ts";
 * const store = await SqliteFleetStore.open(":memory:");
 * try {
 *   assert.equal((await store.summary()).devices.total, 0);
 * } finally {
 *   await store.close();
 * }
 * ```
 * @module
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { MIGRATIONS } from "./migrations.ts";
import { migrate } from "./_migrate.ts";
import type { Row, SqlDriver, SqlStatement, SqlValue } from "./_sql.ts";
import { SqlFleetStore } from "./_sql_fleet_store.ts";

/** Options of {@linkcode SqliteFleetStore.open}. */
export interface SqliteFleetStoreOptions {
  /** How long a write waits for another connection's lock before failing (default 5000 ms). */
  busyTimeoutMs?: number;
}

class SqliteDriver implements SqlDriver {
  #db: DatabaseSync;
  #statements = new Map<string, StatementSync>();

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  #prepare(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      if (this.#statements.size >= 128) this.#statements.clear();
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  all<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return Promise.resolve(this.#prepare(sql).all(...params) as T[]);
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    return Promise.resolve({ changes: Number(this.#prepare(sql).run(...params).changes) });
  }

  batch(statements: readonly SqlStatement[], options: { readOnly?: boolean } = {}): Promise<Row[][]> {
    // Synchronous from BEGIN to COMMIT: nothing else on this connection runs in between.
    this.#prepare(options.readOnly ? "BEGIN DEFERRED" : "BEGIN IMMEDIATE").run();
    try {
      const out = statements.map((s) => this.#prepare(s.sql).all(...(s.params ?? [])) as Row[]);
      this.#prepare("COMMIT").run();
      return Promise.resolve(out);
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      return Promise.reject(error);
    }
  }

  close(): Promise<void> {
    this.#statements.clear();
    if (this.#db.isOpen) this.#db.close();
    return Promise.resolve();
  }
}

/**
 * Switches the database to WAL. Changing the journal mode needs the database to itself and does not
 * wait through the busy timeout, so two processes opening one new file at once see "database is
 * locked": retried until `busyMs` has passed.
 */
async function toWal(db: DatabaseSync, busyMs: number): Promise<void> {
  const until = Date.now() + busyMs;
  for (;;) {
    try {
      db.exec("PRAGMA journal_mode = WAL");
      return;
    } catch (error) {
      if (!/database is locked|SQLITE_BUSY/i.test(String((error as Error)?.message)) || Date.now() > until) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 30));
    }
  }
}

/** `FleetStore` on a SQLite file (or `":memory:"`). */
export class SqliteFleetStore extends SqlFleetStore {
  /**
   * Open (creating when missing) the database at `path` and bring its schema up to date.
   * Rejects with `UnsupportedError` when the file's schema is newer than this code.
   */
  static async open(path: string, options: SqliteFleetStoreOptions = {}): Promise<SqliteFleetStore> {
    const busy = options.busyTimeoutMs ?? 5000;
    if (!Number.isSafeInteger(busy) || busy < 0) {
      throw new RangeError("Cannot open fleet database: bad busyTimeoutMs");
    }
    const db = new DatabaseSync(path);
    const driver = new SqliteDriver(db);
    try {
      db.exec(`PRAGMA busy_timeout = ${busy}`);
      await toWal(db, busy);
      db.exec("PRAGMA synchronous = NORMAL");
      db.exec("PRAGMA foreign_keys = ON");
      await migrate(driver, MIGRATIONS);
    } catch (error) {
      await driver.close();
      throw error;
    }
    return new SqliteFleetStore(driver);
  }
}
