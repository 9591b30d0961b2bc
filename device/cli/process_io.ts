/**
 * The {@linkcode CommandIO} of a CLI process (`drover`, `drover-repo`, `drover-fleet`): stdout and
 * stderr of the process, its environment, and an optional abort signal. A reader that goes away
 * (`drover status | head -1`) closes the pipe: what is written after that is dropped, quietly, and the
 * command runs to its end (an update is never cut short because nobody reads its output); a
 * broken stderr is ignored the same way. Other stream errors are reported on stderr once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PassThrough } from "node:stream";
 * import { processIO } from "./process_io.ts";
 * const stdout = new PassThrough();
 * const io = processIO({ stdout, stderr: new PassThrough(), env: { A: "1" } });
 * io.stdout("hello\n");
 * assert.equal(String(stdout.read()), "hello\n");
 * assert.equal(io.env.A, "1");
 * ```
 * @module
 */
import type { CommandIO } from "./command.ts";

/** The parts of a process `processIO` uses (node:process, or a stand-in in tests). */
export interface ProcessStreams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
}

/** Builds the IO of a CLI process; `signal` is aborted on SIGINT/SIGTERM by the caller. */
export function processIO(proc: ProcessStreams, options: { signal?: AbortSignal } = {}): CommandIO {
  const open = { stdout: true, stderr: true };
  const watch = (name: "stdout" | "stderr") => {
    proc[name].on("error", (error: NodeJS.ErrnoException) => {
      const first = open[name];
      open[name] = false;
      if (error.code === "EPIPE" || !first || name === "stderr") return;
      if (open.stderr) proc.stderr.write(`Cannot write to stdout: ${error.message}\n`);
    });
  };
  watch("stdout");
  watch("stderr");
  return {
    stdout: (text) => {
      if (open.stdout) proc.stdout.write(text);
    },
    stderr: (text) => {
      if (open.stderr) proc.stderr.write(text);
    },
    env: { ...proc.env },
    stderrIsTTY: proc.stderr.isTTY === true,
    signal: options.signal,
  };
}
