/**
 * Private: the `repo` program (`deno task repo …`, `dist/drover-repo.mjs`) on drover's command
 * framework (`device/cli/`): every subcommand takes `--repo DIR`, `--keys DIR` and `--lock-wait SECONDS`
 * (how long a command that changes metadata waits for the repository's lock; `_repo_lock.ts`).
 */
import type { Cli } from "../../device/cli/cli.ts";

/** `repo`: its name, and the options every subcommand takes. */
export const REPO_CLI: Cli = {
  name: "repo",
  title: "drover-repo",
  options: { repo: { type: "string" }, keys: { type: "string" }, "lock-wait": { type: "string" } },
};
