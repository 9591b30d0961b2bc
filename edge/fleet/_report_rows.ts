/**
 * Private: the report events of the SQL fleet store (`SqlFleetStore` delegates to
 * {@linkcode ReportRows}): a device's batch, checked with core/fleet's parser and written in one
 * transaction with its counter (idempotent by event id, capped per device), and pruning by age.
 */
import { NotFoundError } from "../../core/errors.ts";
import { assertDeviceId } from "../../core/fleet/device_identity.ts";
import { MAX_REPORT_EVENTS, parseReportEvent, type ReportEvent } from "../../core/fleet/report_events.ts";
import { type DeviceWriteOptions, REPORTS_KEPT_PER_DEVICE } from "./fleet_store.ts";
import { checkWriteOptions, timeOf } from "./_store_checks.ts";
import type { SqlDriver } from "./_sql.ts";
import { writeBatch } from "./_sql_write.ts";
import { advanceStatement, type EventRow, reportCapStatement, reportStatement } from "./_statements.ts";

/** Reports deleted per statement when pruning. */
const PRUNE_CHUNK = 5000;

/** The `reports` rows over one driver; methods as `FleetStore`'s. */
export class ReportRows {
  #db: SqlDriver;

  constructor(db: SqlDriver) {
    this.#db = db;
  }

  async recordReports(
    id: string,
    events: readonly ReportEvent[],
    options: DeviceWriteOptions,
  ): Promise<{ accepted: number; duplicates: number }> {
    assertDeviceId(id);
    if (!Array.isArray(events) || events.length > MAX_REPORT_EVENTS) {
      throw new RangeError(`Cannot record reports: expected an array of at most ${MAX_REPORT_EVENTS} events`);
    }
    const rows = events.map((e, i): EventRow => {
      const event = parseReportEvent(e, { doc: "report", path: `events[${i}]` });
      return {
        id: event.id,
        app: event.app,
        commit: event.commit,
        stage: event.stage,
        result: event.result,
        errorCode: event.errorCode ?? null,
        message: event.message ?? null,
        bytes: event.bytes ?? null,
        durationMs: event.durationMs ?? null,
        at: new Date(event.at).getTime(),
      };
    });
    const { counter, publicKey } = checkWriteOptions(options);
    const now = timeOf(options.now, "record reports");
    const [advanced, inserted] = await writeBatch(this.#db, [
      advanceStatement(id, { counter, now, publicKey }),
      reportStatement(id, rows, { now }),
      reportCapStatement(id, REPORTS_KEPT_PER_DEVICE),
    ], { id });
    if (!advanced?.length) throw new NotFoundError(`Cannot find device ${id}`);
    const accepted = inserted?.length ?? 0;
    return { accepted, duplicates: rows.length - accepted };
  }

  async pruneReports(olderThanMs: number, options: { now?: Date } = {}): Promise<number> {
    if (!Number.isSafeInteger(olderThanMs) || olderThanMs < 0) {
      throw new RangeError("Cannot prune reports: the age must be a non-negative integer of milliseconds");
    }
    const cutoff = timeOf(options.now, "prune reports") - olderThanMs;
    let total = 0;
    for (;;) {
      const { changes } = await this.#db.run(
        `DELETE FROM reports WHERE seq IN (SELECT seq FROM reports WHERE received_at < ?1 LIMIT ${PRUNE_CHUNK})`,
        [cutoff],
      );
      total += changes;
      if (changes < PRUNE_CHUNK) return total;
    }
  }
}
