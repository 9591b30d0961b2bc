/**
 * `drover update`: `check`, then `install`, under one lock; first, apps whose `current` points at a
 * release that does not exist are recovered (`_recover_damaged.ts`). A fatal check error (trust refused,
 * repository unreachable) stops before anything is installed. The check plans each app once
 * (`device/app/plan.ts`) and the install carries that plan out from memory: the pending records it
 * writes are only there for a later `install` or `update` to resume after a crash.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { command } from "./update.ts";
 * const out: string[] = [];
 * const code = await command.run(["--help"], { stdout: (t) => out.push(t), stderr: () => {}, env: {}, stderrIsTTY: false });
 * assert.ok(code === 0 && out.join("").startsWith("Usage: drover update "));
 * ```
 * @module
 */
import { defineCommand, type ErrorEntry, optional } from "../cli/define_command.ts";
import { worstExitCode } from "../cli/exit_codes.ts";
import { Workspace } from "../fs/workspace.ts";
import { openFleetRun } from "../fleet/fleet_run.ts";
import { openRolloutContext } from "../rollout/rollout_context.ts";
import { cohortOption } from "../rollout/rollout_cohort.ts";
import { type CheckReport, printCheck, runCheck } from "./check.ts";
import { type InstallReport, printInstall, runInstall } from "./install.ts";
import { noteRecovered, recoverDamaged, type RecoveredApp } from "./_recover_damaged.ts";
import {
  checkFlagsOf,
  CHECKING,
  HELP_CHECK,
  HELP_COMMON,
  HELP_EXIT,
  HELP_INSTALL,
  HELP_LOCK,
  HELP_TARGET,
  HELP_WORKSPACE,
  installFlagsOf,
  INSTALLING,
  LOCKING,
  printJson,
  TARGET,
  targetOf,
  waitOf,
  WORKSPACE,
  workspaceOf,
} from "./_shared.ts";

/** The `update --json` document. */
export interface UpdateReport {
  command: "update";
  ok: boolean;
  exitCode: number;
  check: CheckReport;
  install: InstallReport;
  errors: ErrorEntry[];
  /** Apps whose `current` pointed at a missing release, recovered first (only when there were any). */
  recovered?: RecoveredApp[];
}

/** `drover update`. */
export const command = defineCommand({
  name: "update",
  summary: "check, then install",
  help: "Usage: drover update --target DIR --workspace DIR --api URL [options]\n\n" +
    "`drover check` then `drover install` under one workspace lock, in one pass: each new release is\n" +
    "verified and extracted while it downloads (the download is kept in <workspace>/downloads/*.part,\n" +
    "so an interrupted run resumes). Suits a systemd timer.\n\nOptions:\n" +
    HELP_TARGET + HELP_WORKSPACE + HELP_CHECK + HELP_INSTALL + HELP_LOCK + HELP_COMMON + "\n" + HELP_EXIT,
  options: { ...TARGET, ...WORKSPACE, ...CHECKING, ...INSTALLING, ...LOCKING },
  async run(parsed, io) {
    const target = targetOf(parsed, io);
    const ws = new Workspace(workspaceOf(parsed, io));
    const checkFlags = checkFlagsOf(parsed, io);
    const installFlags = installFlagsOf(parsed);
    const cohort = cohortOption(parsed, io);
    const wait = waitOf(parsed);
    await ws.init();
    await using _lock = await ws.lock({ waitSeconds: wait, signal: io.signal });
    // an enrolled device records each install's stages, checks in and sends them at the end
    const cacheDir = optional(parsed, "cache-dir", { io, envName: "DROVER_CACHE_DIR" });
    await using fleet = await openFleetRun(ws.dir, { io, target, cacheDir });
    // the edge's rollout holds, from a check-in before deciding (else the last ones known)
    const rollout = await openRolloutContext(ws.dir, { io, cohort, checkIn: () => fleet.checkIn() });
    // a `current` pointing at a missing release: back to `previous` (or nothing installed), loudly
    const recovered = await recoverDamaged(target, io);
    // downloads are deferred to the install, which verifies and extracts while it downloads (one pass)
    const { report: check, plan } = await runCheck(ws, {
      target,
      flags: checkFlags,
      io,
      json: parsed.json,
      deferDownloads: true,
      reports: fleet.reports,
      rollout,
    }).catch(async (error) => {
      await noteRecovered(ws, { target, recovered, errors: [] });
      throw error;
    });
    // the same plan, in memory: nothing is decided or read again (the records are for a crash)
    const install = await runInstall(ws, {
      target,
      plan,
      flags: installFlags,
      io,
      json: parsed.json,
      stream: checkFlags.policy,
      reports: fleet.reports,
    });
    const exitCode = worstExitCode([check.exitCode, install.exitCode]);
    const errors = [...check.errors, ...install.errors];
    await noteRecovered(ws, { target, recovered, errors });
    if (parsed.json) {
      const report: UpdateReport = {
        command: "update",
        ok: exitCode === 0,
        exitCode,
        check,
        install,
        errors,
        ...(recovered.length ? { recovered } : {}),
      };
      printJson(io, report);
    } else {
      // one line per app, its outcome: what the install did with it, else what the check found
      const installed = new Set(install.apps.map((a) => a.dir));
      printCheck(io, { ...check, apps: check.apps.filter((a) => !installed.has(a.dir)) });
      printInstall(io, install);
    }
    return exitCode;
  },
});
