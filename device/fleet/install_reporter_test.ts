import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IntegrityError, TransientError } from "../../core/errors.ts";
import { parseReportBatch } from "../../core/fleet/report_events.ts";
import { InterruptedError } from "../cli/interrupted_error.ts";
import { InstallReporter } from "./install_reporter.ts";
import { ReportSpool } from "./report_spool.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "reporter-test-"));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const RELEASE = { app: "acme/radio", commit: "68200EC154D6", bytes: 4096 };

async function stages(spool: ReportSpool): Promise<string[]> {
  const { events } = await spool.batch();
  parseReportBatch({ schema: 1, events }); // the edge would take them
  return events.map((e) =>
    [e.stage, e.result, e.errorCode, e.bytes !== undefined ? `bytes=${e.bytes}` : undefined]
      .filter(Boolean).join(" ")
  );
}

Deno.test("a streamed install records download, verify and, once the health check passed, install ok", async () => {
  await withDir(async (dir) => {
    const spool = new ReportSpool(dir);
    const attempt = new InstallReporter(spool).attempt(RELEASE);
    await attempt.onStage({ stage: "staged", durationMs: 120, streamed: true, reused: false });
    await attempt.onStage({ stage: "health", ok: true, durationMs: 30 });
    await attempt.installed();
    assert.deepEqual(await stages(spool), [
      "download ok bytes=4096",
      "verify ok bytes=4096",
      "health ok",
      "install ok",
    ]);
    const { events } = await spool.batch();
    assert.equal(events[0]!.durationMs, 120);
    assert.equal(events[0]!.commit, "68200ec154d6");
    assert.equal(events[2]!.durationMs, 30);
  });
});

Deno.test("a failed health check records health error E_HEALTH and rollback rolled_back, never install ok", async () => {
  await withDir(async (dir) => {
    const spool = new ReportSpool(dir);
    const attempt = new InstallReporter(spool).attempt(RELEASE);
    await attempt.onStage({ stage: "staged", durationMs: 5, streamed: true, reused: false });
    await attempt.onStage({
      stage: "health",
      ok: false,
      durationMs: 7,
      error: "health check failed (exit 1)",
    });
    await attempt.onStage({ stage: "rollback", durationMs: 2 });
    assert.deepEqual(await stages(spool), [
      "download ok bytes=4096",
      "verify ok bytes=4096",
      "health error E_HEALTH",
      "rollback rolled_back",
    ]);
    assert.equal((await spool.batch()).events[2]!.message, "health check failed (exit 1)");
  });
});

Deno.test("failures are recorded against the stage they happened in, with our error code and message", async () => {
  await withDir(async (dir) => {
    const spool = new ReportSpool(dir);
    const reporter = new InstallReporter(spool);
    await reporter.attempt(RELEASE).failed(new TransientError("Cannot fetch x: HTTP 503"));
    await reporter.attempt(RELEASE).failed(new IntegrityError("Cannot verify x: sha256 mismatch\u0007"));
    const late = reporter.attempt(RELEASE);
    await late.onStage({ stage: "staged", durationMs: 1, streamed: false, reused: false });
    await late.failed(new Error("Cannot switch current: EIO"));
    // check, then install: check records the download, install does not again
    const checked = reporter.attempt(RELEASE);
    await checked.downloaded();
    const blob = reporter.attempt(RELEASE);
    await blob.onStage({ stage: "staged", durationMs: 1, streamed: false, reused: false });
    await blob.installed();
    assert.deepEqual(await stages(spool), [
      "download error E_TRANSIENT",
      "verify error E_INTEGRITY",
      "install error E_FAILURE",
      "download ok bytes=4096",
      "verify ok bytes=4096",
      "install ok",
    ]);
    const { events } = await spool.batch();
    assert.equal(events[1]!.message, "Cannot verify x: sha256 mismatch ");
  });
});

Deno.test("InstallReporter.open() gives no reporter to a device that is not enrolled; a spool error is one warning", async () => {
  await withDir(async (dir) => {
    assert.equal(await InstallReporter.open(dir), undefined);
    await mkdir(join(dir, "identity"));
    await writeFile(
      join(dir, "identity/enrollment.json"),
      JSON.stringify({
        version: 1,
        deviceId: "d_" + "c".repeat(32),
        api: "http://e/",
        state: "pending",
        labels: {},
      }),
    );
    const reporter = await InstallReporter.open(dir);
    assert.ok(reporter);
    assert.equal(reporter.spool.dir, join(dir, "reports"));
    const warnings: string[] = [];
    await writeFile(join(dir, "blocker"), "");
    const broken = new InstallReporter(new ReportSpool(join(dir, "blocker/reports")), {
      warn: (t) => warnings.push(t),
    });
    const attempt = broken.attempt(RELEASE);
    await attempt.onStage({ stage: "staged", durationMs: 1, streamed: true, reused: false });
    await attempt.installed();
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /Cannot spool report event/);
  });
});

Deno.test("an interrupted attempt (SIGINT, SIGTERM) records no failure, in extraction or in download", async () => {
  await withDir(async (dir) => {
    const spool = new ReportSpool(dir);
    const extracting = new InstallReporter(spool).attempt(RELEASE);
    await extracting.onStage({ stage: "staged", durationMs: 5, streamed: true, reused: false });
    await extracting.failed(new InterruptedError("SIGINT"));
    const downloading = new InstallReporter(spool).attempt(RELEASE);
    const cut = new InterruptedError("SIGTERM");
    await downloading.failed(new TransientError("Cannot fetch http://x/a: interrupted", { cause: cut }));
    assert.deepEqual(await stages(spool), ["download ok bytes=4096", "verify ok bytes=4096"]);
  });
});
