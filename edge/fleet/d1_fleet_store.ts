/**
 * The fleet store on Cloudflare D1 (the Worker's `env.DB` binding). D1 is SQLite: same schema,
 * same migrations, same SQL; each write is one `batch()` (a transaction). The few D1 types used
 * are declared here, so nothing depends on `@cloudflare/workers-types`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { D1FleetStore, type D1Database } from "./d1_fleet_store.ts";
 * async function devices(env: { DB: D1Database }): Promise<number> {
 *   const store = await D1FleetStore.open(env.DB);
 *   return (await store.summary()).devices.total;
 * }
 * assert.equal(typeof devices, "function");
 * ```
 * @module
 */
import { MIGRATIONS } from "./migrations.ts";
import { migrate } from "./_migrate.ts";
import type { Row, SqlDriver, SqlStatement, SqlValue } from "./_sql.ts";
import { SqlFleetStore } from "./_sql_fleet_store.ts";

/** The result of a D1 statement. */
export interface D1Result<T = Record<string, unknown>> {
  results: T[];
  success: boolean;
  meta: { changes?: number; [key: string]: unknown };
}

/** A prepared D1 statement. */
export interface D1PreparedStatement {
  bind(...values: unknown[]): D1PreparedStatement;
  first<T = Record<string, unknown>>(column?: string): Promise<T | null>;
  all<T = Record<string, unknown>>(): Promise<D1Result<T>>;
  run<T = Record<string, unknown>>(): Promise<D1Result<T>>;
}

/** A D1 database binding. */
export interface D1Database {
  prepare(query: string): D1PreparedStatement;
  batch<T = Record<string, unknown>>(statements: D1PreparedStatement[]): Promise<D1Result<T>[]>;
}

class D1Driver implements SqlDriver {
  #db: D1Database;

  constructor(db: D1Database) {
    this.#db = db;
  }

  #prepare(sql: string, params: readonly SqlValue[] = []): D1PreparedStatement {
    const statement = this.#db.prepare(sql);
    return params.length > 0 ? statement.bind(...params) : statement;
  }

  async all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return (await this.#prepare(sql, params).all<T>()).results;
  }

  async run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> {
    return { changes: Number((await this.#prepare(sql, params).run()).meta.changes ?? 0) };
  }

  async batch(statements: readonly SqlStatement[]): Promise<Row[][]> {
    if (statements.length === 0) return [];
    const results = await this.#db.batch<Row>(statements.map((s) => this.#prepare(s.sql, s.params)));
    return results.map((r) => r.results ?? []);
  }

  close(): Promise<void> {
    return Promise.resolve(); // The binding belongs to the Worker.
  }
}

/** `FleetStore` on a D1 binding. */
export class D1FleetStore extends SqlFleetStore {
  /** Bring the database's schema up to date and open the store (`UnsupportedError` when newer). */
  static async open(db: D1Database): Promise<D1FleetStore> {
    const driver = new D1Driver(db);
    await migrate(driver, MIGRATIONS);
    return new D1FleetStore(driver);
  }
}
