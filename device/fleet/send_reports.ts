/**
 * Sends the report spool to the fleet API in batches (at most the core batch limit, 100 events,
 * about 64 KiB each), oldest first, each with the spool's `dropped` count when above 0. A batch's
 * files are removed only after a 2xx answer, so an interrupted send (kill, timeout, refusal) sends
 * the same events, with the same ids, next time, and the edge counts them once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { ReportSpool } from "./report_spool.ts";
 * import { sendReports } from "./send_reports.ts";
 * const spool = new ReportSpool(await mkdtemp(join(tmpdir(), "spool-")));
 * await spool.add({ app: "acme/radio", commit: "68200ec", stage: "install", result: "ok", at: new Date().toISOString() });
 * const batches: number[] = [];
 * const client = {
 *   sendReports: (b: { events: unknown[] }) => (batches.push(b.events.length), Promise.resolve({ accepted: 1, duplicates: 0 })),
 * };
 * assert.deepEqual(await sendReports(client, spool), { sent: 1, accepted: 1, duplicates: 0, dropped: 0, batches: 1 });
 * assert.equal((await spool.summary()).events, 0);
 * await rm(spool.dir, { recursive: true });
 * ```
 * @module
 */
import { REPORT_SCHEMA, type ReportBatch } from "../../core/fleet/report_events.ts";
import type { ReportsAnswer } from "./fleet_client.ts";
import type { ReportSpool } from "./report_spool.ts";

/** What {@linkcode sendReports} sent. */
export interface SendResult {
  /** Events sent and acknowledged. */
  sent: number;
  /** The edge's counts: new events, and ones it had already. */
  accepted: number;
  duplicates: number;
  /** The dropped count reported (and acknowledged). */
  dropped: number;
  batches: number;
}

/**
 * Sends every spooled event (see the module doc); stops at the first failure, which it throws,
 * or once `deadline` (ms since the epoch) has passed (the rest waits for the next run).
 */
export async function sendReports(
  client: { sendReports(batch: ReportBatch & { dropped?: number }): Promise<ReportsAnswer> },
  spool: ReportSpool,
  options: { deadline?: number } = {},
): Promise<SendResult> {
  const result: SendResult = { sent: 0, accepted: 0, duplicates: 0, dropped: 0, batches: 0 };
  for (;;) {
    if (options.deadline !== undefined && Date.now() >= options.deadline) return result;
    const batch = await spool.batch();
    if (batch.events.length === 0 && batch.dropped === 0) return result;
    const answer = await client.sendReports({
      schema: REPORT_SCHEMA,
      events: batch.events,
      ...(batch.dropped > 0 ? { dropped: batch.dropped } : {}),
    });
    await spool.acknowledge(batch);
    result.sent += batch.events.length;
    result.accepted += answer.accepted;
    result.duplicates += answer.duplicates;
    result.dropped += batch.dropped;
    result.batches++;
  }
}
