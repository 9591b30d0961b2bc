/**
 * Private: a write transaction of the SQL fleet store, with the schema's refusals turned into the
 * store's errors. A device's write updates the device's row first, and the schema aborts the whole
 * transaction when the counter does not increase (`ReplayError`), the device may not be written or is
 * unknown (`NotFoundError`); see `_statements.ts`. A busy database is a `TransientError`.
 */
import { NotFoundError, TransientError } from "../../core/errors.ts";
import { ReplayError } from "../../core/fleet/errors.ts";
import type { Row, SqlDriver, SqlStatement } from "./_sql.ts";

/** Run `statements` in one transaction; `options.id` names the device (or what is written) in errors. */
export async function writeBatch(
  db: SqlDriver,
  statements: SqlStatement[],
  options: { id: string },
): Promise<Row[][]> {
  const { id } = options;
  try {
    return await db.batch(statements);
  } catch (error) {
    const message = String((error as Error)?.message ?? error);
    if (message.includes("E_REPLAY")) {
      throw new ReplayError(`Cannot accept request from ${id}: its counter is not above the last one`, {
        cause: error,
      });
    }
    if (message.includes("NOT NULL constraint failed: devices.counter")) {
      throw new NotFoundError(`Cannot find device ${id} with that key, not rejected`, { cause: error });
    }
    if (message.includes("FOREIGN KEY constraint failed")) {
      throw new NotFoundError(`Cannot find device ${id}`, { cause: error });
    }
    if (/SQLITE_BUSY|database is locked/i.test(message)) {
      throw new TransientError("Cannot write fleet database: busy, try later", { cause: error });
    }
    throw error;
  }
}
