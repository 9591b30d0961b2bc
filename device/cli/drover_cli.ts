/**
 * The `drover` program: every command accepts the flags that describe the device (`--target`,
 * `--workspace`, `--api`, `--trusted-root`, `--cache-dir`, `--cohort`), as it accepts their
 * environment defaults, so a script passes one set of flags to `check`, `install`, `update` and the rest alike.
 * A command ignores those it does not use.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DROVER_CLI } from "./drover_cli.ts";
 * const flags = Object.keys(DROVER_CLI.options ?? {});
 * assert.deepEqual(flags, ["target", "workspace", "api", "trusted-root", "cache-dir", "cohort"]);
 * ```
 * @module
 */
import type { Cli } from "./cli.ts";

/** `drover`: its name and the device flags every command takes. */
export const DROVER_CLI: Cli = {
  name: "drover",
  options: {
    target: { type: "string" },
    workspace: { type: "string" },
    api: { type: "string" },
    "trusted-root": { type: "string" },
    "cache-dir": { type: "string" },
    cohort: { type: "string" },
  },
  helpFooter: "Every drover command takes the device flags --target DIR, --workspace DIR, --api URL,\n" +
    "--trusted-root FILE, --cache-dir DIR and --cohort canary|none, as it takes their environment\n" +
    "defaults DROVER_TARGET, DROVER_WORKSPACE, DROVER_API, DROVER_TRUSTED_ROOT, DROVER_CACHE_DIR and\n" +
    "DROVER_COHORT; it ignores those it does not use, so one set of flags serves every command.\n",
};
