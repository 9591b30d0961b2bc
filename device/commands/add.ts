/**
 * `drover add --app OWNER/APP`: registers an app on this device so that the next `drover update`
 * (or `check` + `install`) installs its newest signed release for the ref, the first install of
 * an app on a fresh device. Writes `<target>/<dir>/.drover-app.json` atomically and creates
 * `releases/`; see `device/app/registration.ts`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { command } from "./add.ts";
 * const out: string[] = [];
 * const code = await command.run(["--help"], { stdout: (t) => out.push(t), stderr: () => {}, env: {}, stderrIsTTY: false });
 * assert.ok(code === 0 && out.join("").startsWith("Usage: drover add "));
 * ```
 * @module
 */
import { defineCommand, optional, required } from "../cli/define_command.ts";
import { isAppDirName, registerApp, type RegisterResult } from "../app/registration.ts";
import { assertAppName, isAppName, isRef, MAX_APP_NAME_LENGTH } from "../../core/names/mod.ts";
import { UsageError } from "../cli/usage_error.ts";
import { HELP_COMMON, HELP_TARGET, printJson, TARGET, targetOf } from "./_shared.ts";

/** The `add --json` document. */
export interface AddReport extends RegisterResult {
  command: "add";
  ok: true;
  exitCode: 0;
}

/** `drover add`. */
export const command = defineCommand({
  name: "add",
  summary: "register a new app on this device (the next update installs it)",
  help: "Usage: drover add --target DIR --app OWNER/APP [--ref REF] [--dir NAME] [--json]\n\n" +
    "Registers an app in <target>/<dir>: creates releases/ and writes .drover-app.json ({name, ref}).\n" +
    "The next `drover update` (or check + install) installs the newest signed release of that name and\n" +
    "ref as the first release (current, no previous). Running it again with the same app and ref changes\n" +
    "nothing; with another --ref it changes the ref the app tracks (no downgrade check on that switch).\n" +
    "A directory holding another app, or other files, is refused (exit 1).\n\nOptions:\n" + HELP_TARGET +
    "  --app OWNER/APP       the app's name in the repository\n" +
    "  --ref REF             the ref to track (default main)\n" +
    "  --dir NAME            directory under --target (default: APP, the part after '/')\n" +
    HELP_COMMON + "\nExit codes: 0 ok (also already registered), 1 failure (another app there, target\n" +
    "missing), 2 usage (missing or invalid --app, --ref or --dir).\n",
  options: { ...TARGET, app: { type: "string" }, ref: { type: "string" }, dir: { type: "string" } },
  async run(parsed, io) {
    const target = targetOf(parsed, io);
    const name = required(parsed, "app");
    const ref = optional(parsed, "ref") ?? "main";
    const dirName = optional(parsed, "dir");
    for (const flag of ["ref", "dir"]) {
      if (parsed.values[flag] === "") throw new UsageError(`--${flag} is empty`);
    }
    try {
      if (name.length > MAX_APP_NAME_LENGTH) assertAppName(name);
    } catch (error) {
      // the usage line drops `Cannot add app: `: the rule's own `Cannot use app name '…': …` stays
      throw new UsageError(`Cannot add app: ${(error as Error).message}`, { cause: error });
    }
    if (!isAppName(name)) throw new UsageError(`invalid --app '${name}' (want OWNER/APP)`);
    if (!isRef(ref)) throw new UsageError(`invalid --ref '${ref}'`);
    if (dirName !== undefined && !isAppDirName(dirName)) {
      throw new UsageError(`invalid --dir '${dirName}' (one name: letters, digits, '.', '_', '+', '-')`);
    }
    const result = await registerApp(target, { name, ref, dirName });
    if (parsed.json) {
      const report: AddReport = { command: "add", ok: true, exitCode: 0, ...result };
      printJson(io, report);
    } else {
      io.stdout(`${result.name}\t${result.ref}\t${result.dirName}\t${result.action}\n`);
      if (result.previousRef) {
        io.stderr(`${result.name}: now tracks ${result.ref} (was ${result.previousRef})\n`);
      }
    }
    return 0;
  },
});
