/**
 * Records the outcome of each install attempt of an enrolled device into the report spool
 * (`report_spool.ts`), one event per stage as it ends, each written durably before the install
 * goes on (so a kill loses no event that was written):
 *
 * ```
 * update (streamed):   download ok {bytes, durationMs} · verify ok {bytes} · [health ok {durationMs}] · install ok {durationMs}
 * check, then install: download ok, verify ok (check)  ·  [health ok] · install ok (install)
 * health check fails:  … · health error E_HEALTH {message, durationMs} · rollback rolled_back {durationMs}
 * failure:             download error (transient, not found) | verify error (integrity) | install error (other)
 * interrupted:         nothing (SIGINT, SIGTERM: not a failure; the next run resumes and reports the outcome)
 * ```
 *
 * Success (`install ok`) is recorded only after the health check passed. A device that is not
 * enrolled gets no reporter ({@linkcode InstallReporter.open} resolves `undefined`): nothing is
 * spooled. Recording never fails an install: a spool error is a warning (`warn`), once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { ReportSpool } from "./report_spool.ts";
 * import { InstallReporter } from "./install_reporter.ts";
 * const dir = await mkdtemp(join(tmpdir(), "spool-"));
 * const spool = new ReportSpool(dir);
 * const attempt = new InstallReporter(spool).attempt({ app: "acme/radio", commit: "68200ec", bytes: 10 });
 * await attempt.onStage({ stage: "staged", durationMs: 5, streamed: true, reused: false });
 * await attempt.installed();
 * const { events } = await spool.batch();
 * assert.deepEqual(events.map((e) => `${e.stage} ${e.result}`), ["download ok", "verify ok", "install ok"]);
 * await rm(dir, { recursive: true });
 * ```
 * @module
 */
import { IntegrityError, NotFoundError, TransientError } from "../../core/errors.ts";
import type { ReportEvent, ReportResult, ReportStage } from "../../core/fleet/report_events.ts";
import { MAX_REPORT_MESSAGE } from "../../core/fleet/report_events.ts";
import type { InstallStageEvent } from "../app/install_release.ts";
import { errorCode } from "../cli/define_command.ts";
import { InterruptedError } from "../cli/interrupted_error.ts";
import { readEnrollment } from "./enrollment.ts";
import { fleetPaths } from "./fleet_paths.ts";
import { ReportSpool } from "./report_spool.ts";

// deno-lint-ignore no-control-regex
const CONTROL_BUT_TAB_LF = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** The release an attempt installs. */
export interface AttemptRelease {
  app: string;
  commit: string;
  /** Signed length of the archive, when known. */
  bytes?: number;
}

/** Records install attempts into a spool. */
export class InstallReporter {
  readonly spool: ReportSpool;
  #warn: (text: string) => void;
  #warned = false;

  constructor(spool: ReportSpool, options: { warn?: (text: string) => void } = {}) {
    this.spool = spool;
    this.#warn = options.warn ?? (() => {});
  }

  /**
   * The reporter of the workspace `workspace` when the device is enrolled, else `undefined`.
   * An unreadable enrollment is warned about and counts as not enrolled.
   */
  static async open(
    workspace: string,
    options: { warn?: (text: string) => void } = {},
  ): Promise<InstallReporter | undefined> {
    const paths = fleetPaths(workspace);
    const enrollment = await readEnrollment(paths.enrollment).catch((error) => {
      options.warn?.(`fleet: ${(error as Error).message}`);
      return undefined;
    });
    return enrollment ? new InstallReporter(new ReportSpool(paths.reports), options) : undefined;
  }

  /** Starts an attempt (its clock starts now). */
  attempt(release: AttemptRelease): InstallAttempt {
    return new InstallAttempt(release, (event) => this.#record(event));
  }

  async #record(event: Omit<ReportEvent, "id">): Promise<void> {
    try {
      await this.spool.add(event);
    } catch (error) {
      if (this.#warned) return;
      this.#warned = true;
      this.#warn(`fleet: Cannot spool report event: ${(error as Error).message}`);
    }
  }
}

/** One install attempt of one release. */
export class InstallAttempt {
  readonly release: AttemptRelease;
  #record: (event: Omit<ReportEvent, "id">) => Promise<void>;
  #start = performance.now();
  #staged = false;

  constructor(release: AttemptRelease, record: (event: Omit<ReportEvent, "id">) => Promise<void>) {
    this.release = release;
    this.#record = record;
  }

  /** `InstallOptions.onStage` of `installRelease` and `confirmInstalled`. */
  readonly onStage = async (event: InstallStageEvent): Promise<void> => {
    if (event.stage === "staged") {
      this.#staged = true;
      // a blob's download and verification were recorded by `check`; a reused release had neither
      if (!event.streamed || event.reused) return;
      await this.#event("download", "ok", { bytes: this.release.bytes, durationMs: event.durationMs });
      await this.#event("verify", "ok", { bytes: this.release.bytes });
    } else if (event.stage === "health") {
      await this.#event("health", event.ok ? "ok" : "error", {
        durationMs: event.durationMs,
        ...(event.ok ? {} : { errorCode: "E_HEALTH", message: event.error }),
      });
    } else {
      await this.#event("rollback", "rolled_back", { durationMs: event.durationMs });
    }
  };

  /** `check` downloaded and verified the release (into a blob). */
  async downloaded(): Promise<void> {
    await this.#event("download", "ok", { bytes: this.release.bytes, durationMs: this.#elapsed() });
    await this.#event("verify", "ok", { bytes: this.release.bytes });
  }

  /** The release is installed and its health check, if any, passed. */
  async installed(): Promise<void> {
    await this.#event("install", "ok", { durationMs: this.#elapsed() });
  }

  /**
   * The attempt failed with `error`: recorded against the stage it failed in. An interruption
   * (SIGINT, SIGTERM) is no failure of the release: nothing is recorded (the fleet counts the
   * attempt in progress until the next run's outcome).
   */
  async failed(error: unknown): Promise<void> {
    if (InterruptedError.in(error)) return;
    let stage: ReportStage = "install";
    if (!this.#staged) {
      if (error instanceof IntegrityError) stage = "verify";
      else if (error instanceof TransientError || error instanceof NotFoundError) stage = "download";
    }
    await this.#event(stage, "error", {
      errorCode: errorCode(error),
      message: error instanceof Error ? error.message : String(error),
      durationMs: this.#elapsed(),
    });
  }

  #elapsed(): number {
    return Math.max(0, Math.round(performance.now() - this.#start));
  }

  async #event(
    stage: ReportStage,
    result: ReportResult,
    extra: { bytes?: number; durationMs?: number; errorCode?: string; message?: string },
  ): Promise<void> {
    const event: Omit<ReportEvent, "id"> = {
      app: this.release.app,
      commit: this.release.commit.toLowerCase(),
      stage,
      result,
      at: new Date().toISOString(),
    };
    if (extra.errorCode && /^E_[A-Z0-9_]{1,40}$/.test(extra.errorCode)) event.errorCode = extra.errorCode;
    const message = extra.message?.replace(CONTROL_BUT_TAB_LF, " ")
      .slice(0, MAX_REPORT_MESSAGE);
    if (message) event.message = message;
    if (Number.isSafeInteger(extra.bytes) && extra.bytes! >= 0) event.bytes = extra.bytes;
    if (Number.isSafeInteger(extra.durationMs) && extra.durationMs! >= 0) event.durationMs = extra.durationMs;
    await this.#record(event);
  }
}
