#!/usr/bin/env -S deno run -A
/**
 * The `drover` command line: dispatches on the first word to `device/commands/*`, prints
 * `--version` and `--help`, and is the only place that ends the process. Injects native hashing
 * and gunzip (`core/node.ts`) before anything runs.
 *
 * @example
 * ```ts
 * // node dist/drover.mjs update --target /opt/apps --workspace /var/lib/drover --api https://updates.example
 * import { main } from "./drover.ts";
 * const code = await main(["--version"], {
 *   stdout: (t) => console.log(t), stderr: (t) => console.error(t), env: {}, stderrIsTTY: false,
 * });
 * ```
 * @module
 */
import { setAbilities } from "../core/abilities.ts";
import { nodeAbilities } from "../core/node.ts";
import { dropEd25519Warning } from "./cli/warnings.ts";
import { InterruptedError, type InterruptSignal } from "./cli/interrupted_error.ts";
import { processIO } from "./cli/process_io.ts";
import type { Command, CommandIO } from "./cli/command.ts";
import { DROVER_CLI } from "./cli/drover_cli.ts";
import { type Program, runCli } from "./cli/run_cli.ts";
import { command as add } from "./commands/add.ts";
import { command as check } from "./commands/check.ts";
import { command as install } from "./commands/install.ts";
import { command as update } from "./commands/update.ts";
import { command as status } from "./commands/status.ts";
import { command as rollback } from "./commands/rollback.ts";
import { command as gc } from "./commands/gc.ts";
import { command as image } from "./commands/image.ts";
import { command as manifest } from "./commands/manifest.ts";
import { command as enroll } from "./commands/enroll.ts";
import { command as report } from "./commands/report.ts";

/**
 * The dispatch table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { COMMANDS } from "./drover.ts";
 * assert.ok(COMMANDS.some((c) => c.name === "update"));
 * ```
 */
export const COMMANDS: readonly Command[] = [
  add,
  check,
  install,
  update,
  status,
  rollback,
  gc,
  image,
  manifest,
  enroll,
  report,
];

const PROGRAM: Program = {
  cli: DROVER_CLI,
  about: "Gets verified software onto this device: app releases (TUF-signed), OS images, device manifests.",
  commands: COMMANDS,
  notes: "Every command takes --help, --json and the device flags --target, --workspace, --api,\n" +
    "--trusted-root, --cache-dir, --cohort (ignored where unused). Environment defaults: DROVER_API,\n" +
    "DROVER_TARGET, DROVER_WORKSPACE, DROVER_TRUSTED_ROOT, DROVER_CACHE_DIR, DROVER_COHORT.\n" +
    "--json prints one JSON document; a command that fails prints {command, ok: false,\n" +
    "exitCode, errors: [{code, message}]}.\n" +
    "Exit codes: 0 ok, 1 failure, 2 usage, 3 verification or trust refused, 75 try later,\n" +
    "130/143 interrupted by SIGINT/SIGTERM (nothing reported as failed; the next run resumes).\n",
};

/**
 * Runs the command line `argv` (without the program name) and resolves to the exit code.
 * Never exits; see {@linkcode runMain} for the process entry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./drover.ts";
 * const out: string[] = [];
 * const code = await main(["--version"], { stdout: (t) => out.push(t), stderr: () => {}, env: {}, stderrIsTTY: false });
 * assert.ok(code === 0 && out[0]!.startsWith("drover "));
 * ```
 */
export function main(argv: string[], io: CommandIO): Promise<number> {
  return runCli(argv, io, PROGRAM);
}

/**
 * Process entry: wires stdio, env and signals, runs {@linkcode main}, exits with its code.
 *
 * @example
 * ```ts ignore
 * import { runMain } from "./drover.ts";
 * await runMain(); // never returns
 * ```
 */
export async function runMain(): Promise<never> {
  setAbilities(nodeAbilities);
  dropEd25519Warning(process); // Node 20.11 (the SEA binaries) warns on every signature check
  const ac = new AbortController();
  let signals = 0;
  // the first signal stops the run where it is safe to (exit 130 or 143, nothing reported as failed);
  // a second one ends the process at once
  const onSignal = (sig: InterruptSignal) => {
    signals++;
    const interrupted = new InterruptedError(sig);
    if (signals > 1) process.exit(interrupted.exitCode);
    ac.abort(interrupted);
  };
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  const io = processIO(process, { signal: ac.signal });
  const code = await main(process.argv.slice(2), io);
  // let stdout drain (a pipe may be slower than we are), then end
  await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  process.exit(code);
}

if (import.meta.main) await runMain();
