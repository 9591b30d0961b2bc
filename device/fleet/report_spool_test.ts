import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAX_REPORT_EVENTS, parseReportBatch, type ReportEvent } from "../../core/fleet/report_events.ts";
import { ReportSpool } from "./report_spool.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "spool-test-"));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const event = (n: number, extra: Partial<ReportEvent> = {}): Omit<ReportEvent, "id"> => ({
  app: "acme/radio",
  commit: "68200ec",
  stage: "install",
  result: "ok",
  durationMs: n,
  at: "2026-01-01T00:00:00.000Z",
  ...extra,
});

Deno.test("ReportSpool keeps events in the order they were added, one file each, with sortable unique ids", async () => {
  await withDir(async (dir) => {
    const spool = new ReportSpool(dir);
    const added = [];
    for (let i = 0; i < 12; i++) added.push(await spool.add(event(i)));
    const { events, dropped } = await spool.batch();
    assert.equal(dropped, 0);
    assert.deepEqual(events.map((e) => e.durationMs), [...Array(12).keys()]);
    assert.deepEqual(events, added);
    assert.deepEqual(events.map((e) => e.id), [...events.map((e) => e.id)].sort());
    assert.equal(new Set(events.map((e) => e.id)).size, 12);
    assert.equal((await readdir(dir)).filter((n) => n.endsWith(".json") && n !== "state.json").length, 12);
    // what the edge reads: a valid batch
    assert.equal(parseReportBatch({ schema: 1, events }).events.length, 12);
  });
});

Deno.test("ReportSpool drops the oldest events first past maxEvents and counts them as dropped", async () => {
  await withDir(async (dir) => {
    const spool = new ReportSpool(dir, { maxEvents: 5 });
    for (let i = 0; i < 8; i++) await spool.add(event(i));
    assert.deepEqual(await spool.summary().then((s) => [s.events, s.dropped]), [5, 3]);
    const batch = await spool.batch();
    assert.deepEqual(batch.events.map((e) => e.durationMs), [3, 4, 5, 6, 7]);
    assert.equal(batch.dropped, 3);
    // persisted: a new process sees the same count
    assert.equal((await new ReportSpool(dir).summary()).dropped, 3);
  });
});

Deno.test("ReportSpool drops the oldest events first past maxBytes", async () => {
  await withDir(async (dir) => {
    const spool = new ReportSpool(dir, { maxBytes: 4096 });
    const message = "x".repeat(900); // ~1.1 KiB per event: three fit in 4 KiB
    for (let i = 0; i < 6; i++) await spool.add(event(i, { result: "error", message }));
    const summary = await spool.summary();
    assert.ok(summary.bytes <= 4096, `${summary.bytes} bytes kept`);
    assert.equal(summary.events + summary.dropped, 6);
    const { events } = await spool.batch();
    const newest = Array.from({ length: events.length }, (_, i) => 6 - events.length + i);
    assert.deepEqual(events.map((e) => e.durationMs), newest, "the newest stay");
  });
});

Deno.test("ReportSpool removes a batch only once acknowledged, and takes its dropped count off", async () => {
  await withDir(async (dir) => {
    const spool = new ReportSpool(dir, { maxEvents: 151 });
    for (let i = 0; i < 153; i++) await spool.add(event(i));
    const first = await spool.batch();
    assert.equal(first.events.length, MAX_REPORT_EVENTS);
    assert.equal(first.dropped, 2);
    // not acknowledged (the request failed): the same events, with the same ids, next time
    assert.deepEqual((await spool.batch()).events, first.events);
    await spool.acknowledge(first);
    await spool.add(event(999));
    const second = await spool.batch();
    assert.equal(second.dropped, 0, "the reported dropped count is taken off");
    assert.deepEqual(
      second.events.map((e) => e.durationMs),
      [...Array(51).keys()].map((i) => i + 102).concat(999),
    );
    await spool.acknowledge(second);
    assert.deepEqual(await spool.summary(), { events: 0, bytes: 0, dropped: 0 });
    // ids keep growing after the spool emptied
    const next = await spool.add(event(1));
    assert.ok(next.id > second.events.at(-1)!.id, `${next.id} after ${second.events.at(-1)!.id}`);
  });
});

Deno.test("ReportSpool ignores a half-written temp file and removes (and counts) an event file that does not parse", async () => {
  await withDir(async (dir) => {
    const spool = new ReportSpool(dir);
    const kept = await spool.add(event(1));
    // a writer killed between create and rename leaves its temp file: never an event
    const dead = 2 ** 22 + 17; // above pid_max's default: no such process
    await writeFile(join(dir, `.r000000000009-0123456789abcdef.json.tmp-${dead}-beef`), '{"id":"r0000');
    // a torn event file (a file system without ordered metadata, a power cut)
    await writeFile(join(dir, "r000000000005-0123456789abcdef.json"), '{"id":"r000000000005-01');
    const next = new ReportSpool(dir); // the next run
    assert.equal((await next.summary()).events, 2);
    const batch = await next.batch();
    assert.deepEqual(batch.events, [kept]);
    assert.equal(batch.dropped, 1);
    const left = (await readdir(dir)).sort();
    assert.deepEqual(left, [`${kept.id}.json`, "state.json"]);
    // a new event after the damaged one's sequence number keeps the order
    const after = await next.add(event(2));
    assert.ok(after.id > "r000000000005");
  });
});

Deno.test("ReportSpool refuses an invalid event (nothing written) and bad bounds", async () => {
  await withDir(async (dir) => {
    const spool = new ReportSpool(dir);
    await assert.rejects(spool.add(event(1, { app: "no-owner" })), TypeError);
    await assert.rejects(spool.add(event(1, { commit: "XYZ" })), TypeError);
    assert.deepEqual(await readdir(dir), []);
    assert.throws(() => new ReportSpool(dir, { maxEvents: 0 }), RangeError);
    assert.throws(() => new ReportSpool(dir, { maxBytes: 100 }), RangeError);
    assert.throws(() => new ReportSpool(""), TypeError);
  });
});

Deno.test("ReportSpool writes each event atomically: the file holds the whole event as spooled", async () => {
  await withDir(async (dir) => {
    const spooled = await new ReportSpool(dir).add(event(7, { bytes: 1234 }));
    const text = await readFile(join(dir, `${spooled.id}.json`), "utf8");
    assert.deepEqual(JSON.parse(text), spooled);
    assert.match(spooled.id, /^r\d{12}-[0-9a-f]{16}$/);
  });
});
