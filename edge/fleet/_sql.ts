/**
 * Private: the little SQL a fleet store needs, implemented over `node:sqlite` and over D1.
 * Values are always bound parameters; SQL text is always constant (or built from constant
 * fragments), never from input.
 */

/** A bindable value. */
export type SqlValue = string | number | null;

/** One statement with its parameters (`?1`, `?2`, … or `?`). */
export interface SqlStatement {
  sql: string;
  params?: readonly SqlValue[];
}

/** A row as the driver returns it. */
export type Row = Record<string, unknown>;

/** The database under a fleet store. */
export interface SqlDriver {
  /** Rows of one statement. */
  all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs one statement; resolves with how many rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  /**
   * Runs statements in one transaction (all or nothing) and resolves with each one's rows
   * (`RETURNING` included). `readOnly` asks for a consistent read snapshot, no write lock.
   */
  batch(statements: readonly SqlStatement[], options?: { readOnly?: boolean }): Promise<Row[][]>;
  close(): Promise<void>;
}
