/**
 * Private: the `drover-fleet` program on drover's command framework (`device/cli/`): every
 * subcommand takes `--edge URL` (env `DROVER_EDGE`) and `--token-file FILE` (else env
 * `DROVER_OPERATOR_TOKEN`, else `DROVER_TOKEN`).
 */
import type { Cli } from "../../device/cli/cli.ts";

/** `drover-fleet`: its name, and the options every subcommand takes. */
export const FLEET_CLI: Cli = {
  name: "drover-fleet",
  title: "drover-fleet",
  options: { edge: { type: "string" }, "token-file": { type: "string" } },
};
