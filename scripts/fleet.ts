/**
 * Entry of the operator's fleet CLI (`deno task fleet …`; bundled as `dist/drover-fleet.mjs` for
 * Node 20+ and Deno). node: built-ins only. Sets the exit code; never calls process.exit, so output
 * is flushed.
 *
 * @example
 * ```sh
 * DROVER_OPERATOR_TOKEN=… deno task fleet summary --edge https://updates.example.com
 * ```
 * @module
 */
import process from "node:process";
import { processIO } from "../device/cli/process_io.ts";
import { enterInvocationDir } from "../device/cli/invocation_dir.ts";
import { programName } from "./cli/program_name.ts";
import { runFleet } from "./fleet/main.ts";

enterInvocationDir(process);
const name = programName({ program: "drover-fleet", task: "fleet" }, {
  entry: import.meta.url,
  env: process.env,
  execPath: process.execPath,
  denoVersion: process.versions.deno,
});
process.exitCode = await runFleet(process.argv.slice(2), processIO(process), { name });
