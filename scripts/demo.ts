/**
 * Entry of `deno task demo`: the edge on 127.0.0.1 beside a simulated fleet, in a working directory
 * of its own (a fresh temporary one by default; never `./.data` nor `$DROVER_DATA`), so the
 * dashboard has something to show within a minute. Prints the dashboard URL and the operator token
 * on stdout, progress on stderr. SIGINT or SIGTERM stops everything, removes the working directory
 * (unless `--keep`) and exits 0; another signal more than a second later exits at once (130).
 * Exit 1 when the demo cannot run (port in use, a refused `--dir`), 2 on a bad command line.
 *
 * @example
 * ```sh
 * deno task demo --devices 12 --interval 3
 * ```
 * @module
 */
import process from "node:process";
import { setAbilities } from "../core/abilities.ts";
import { nodeAbilities } from "../core/node.ts";
import { UsageError } from "../device/cli/usage_error.ts";
import { DEMO_HELP, parseDemoOptions } from "./demo/demo_options.ts";
import { runDemo } from "./demo/demo_run.ts";

setAbilities(nodeAbilities);
const stop = new AbortController();
const signals = ["SIGINT", "SIGTERM"] as const;
let stoppingSince = 0;
const onSignal = () => {
  if (stop.signal.aborted) {
    // one Ctrl-C may arrive more than once (from the terminal, and forwarded by `deno task` or npx)
    if (performance.now() - stoppingSince > 1000) Deno.exit(130);
    return;
  }
  stoppingSince = performance.now();
  process.stderr.write("stopping…\n");
  stop.abort();
};
for (const signal of signals) Deno.addSignalListener(signal, onSignal);
try {
  const options = parseDemoOptions(Deno.args, Deno.env.toObject());
  if (options === "help") {
    process.stdout.write(DEMO_HELP);
  } else {
    await runDemo(options, {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
      cwd: Deno.cwd(),
      env: Deno.env.toObject(),
    }, stop.signal);
  }
} catch (error) {
  process.stderr.write(`drover demo: ${(error as Error).message}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
  if (error instanceof UsageError) process.stderr.write("Try: deno task demo --help\n");
} finally {
  for (const signal of signals) Deno.removeSignalListener(signal, onSignal);
}
