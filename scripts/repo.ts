/**
 * Entry of the repository CLI (`deno task repo …`; bundled as `dist/drover-repo.mjs` for Node).
 * node: built-ins only. Sets the exit code; never calls process.exit, so output is flushed.
 *
 * @example
 * ```sh
 * deno task repo init --repo ./repo --keys ./keys
 * ```
 * @module
 */
import process from "node:process";
import { processIO } from "../device/cli/process_io.ts";
import { enterInvocationDir } from "../device/cli/invocation_dir.ts";
import { setAbilities } from "../core/abilities.ts";
import { nodeAbilities } from "../core/node.ts";
import { programName } from "./cli/program_name.ts";
import { runRepo } from "./repo/main.ts";

setAbilities(nodeAbilities);
enterInvocationDir(process);
const name = programName({ program: "drover-repo", task: "repo" }, {
  entry: import.meta.url,
  env: process.env,
  execPath: process.execPath,
  denoVersion: process.versions.deno,
});
process.exitCode = await runRepo(process.argv.slice(2), processIO(process), { name });
