/**
 * Private: the `repo` program (`deno task repo …`, `dist/drover-repo.mjs`) on drover's command
 * framework (`device/cli/`): every subcommand takes `--repo DIR` and `--keys DIR`.
 */
import type { Cli } from "../../device/cli/cli.ts";

/** `repo`: its name, and the options every subcommand takes. */
export const REPO_CLI: Cli = {
  name: "repo",
  title: "drover-repo",
  options: { repo: { type: "string" }, keys: { type: "string" } },
};
