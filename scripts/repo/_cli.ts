/**
 * Private: the `drover-repo` program (`deno task repo …`, `dist/drover-repo.mjs`) on drover's command
 * framework (`device/cli/`): every subcommand takes `--repo DIR`, `--keys DIR` and `--lock-wait SECONDS`
 * (how long a command that changes metadata waits for the repository's lock; `_repo_lock.ts`), which
 * every subcommand's `--help` tells. `main.ts` names it as it was started (`scripts/cli/program_name.ts`).
 */
import type { Cli } from "../../device/cli/cli.ts";

/** `drover-repo`: its name, and the options every subcommand takes. */
export const REPO_CLI: Cli = {
  name: "drover-repo",
  title: "drover-repo",
  options: { repo: { type: "string" }, keys: { type: "string" }, "lock-wait": { type: "string" } },
  helpFooter: "Every drover-repo command takes --repo DIR, --keys DIR, --json and --help. A command that\n" +
    "changes metadata holds the repository's lock (DIR/.lock) and waits for it at most\n" +
    "--lock-wait SECONDS (env DROVER_REPO_LOCK_WAIT, default 120), then exits 75 naming the holder.\n",
};
