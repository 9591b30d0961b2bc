/**
 * Runs the health-check command (`sh -c CMD`) after a switch, with a timeout.
 * @module
 */
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import process from "node:process";

/** How long a check killed by another's signal waits for the run's own interruption to show. */
const SIGNAL_GRACE_MS = 250;

/** Milliseconds since `start` (`performance.now()`). */
export const since = (start: number): number => Math.max(0, Math.round(performance.now() - start));

/**
 * Runs `options.healthCmd` in the release at `releasePath` (env DROVER_APP, DROVER_RELEASE: absolute
 * whatever form the path has) and tells `onStage` its `health` stage; resolves the failure, if any.
 * When `signal` aborts (the run is interrupted: systemd stopping the unit sends its SIGTERM to the
 * check too), the check is stopped and no verdict is given: it rejects with the signal's reason and
 * tells `onStage` nothing.
 */
export async function checkHealth(
  releasePath: string,
  name: string,
  options: {
    healthCmd?: string;
    healthTimeoutMs?: number;
    env?: Record<string, string | undefined>;
    onOutput?: (text: string) => void;
    onStage?: (
      event: { stage: "health"; ok: boolean; durationMs: number; error?: string },
    ) => void | Promise<void>;
    signal?: AbortSignal;
  },
): Promise<string | undefined> {
  options.signal?.throwIfAborted();
  const start = performance.now();
  releasePath = resolve(releasePath);
  const error = await runHealthCheck(options.healthCmd!, {
    cwd: releasePath,
    env: { ...(options.env ?? process.env), DROVER_APP: name, DROVER_RELEASE: releasePath },
    timeoutMs: options.healthTimeoutMs ?? 60_000,
    onOutput: options.onOutput,
    signal: options.signal,
  });
  options.signal?.throwIfAborted(); // stopped with the run: not the release's failure
  await options.onStage?.({ stage: "health", ok: error === undefined, durationMs: since(start), error });
  return error;
}

/** Runs `command` in `cwd`; resolves `undefined` when it exits 0, else a reason. Output goes to `onOutput`. */
export function runHealthCheck(
  command: string,
  options: {
    cwd: string;
    env: Record<string, string | undefined>;
    timeoutMs: number;
    onOutput?: (text: string) => void;
    /** Stops the check (its process group: SIGTERM, SIGKILL 5 s later) when aborted. */
    signal?: AbortSignal;
  },
): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn("/bin/sh", ["-c", command], {
      cwd: options.cwd,
      env: options.env as Record<string, string>,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // own process group: a timeout kills what it started too
    });
    const forward = (chunk: Uint8Array) => options.onOutput?.(new TextDecoder().decode(chunk));
    child.stdout?.on("data", forward);
    child.stderr?.on("data", forward);
    let timedOut = false;
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch { /* already gone */ }
    };
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    const stop = () => {
      killGroup("SIGTERM");
      killTimer ??= setTimeout(() => killGroup("SIGKILL"), 5000);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);
    options.signal?.addEventListener("abort", stop, { once: true });
    child.on("error", (error) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      options.signal?.removeEventListener("abort", stop);
      resolve(`health check could not start: ${error.message}`);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      options.signal?.removeEventListener("abort", stop);
      if (timedOut) resolve(`health check timed out after ${options.timeoutMs} ms`);
      else if (code === 0) resolve(undefined);
      else if (signal && options.signal && !options.signal.aborted) {
        // killed by a signal we did not send: systemd stopping the unit signals the check and drover
        // at once; give the run's own signal a moment to arrive before calling it the release's failure
        setTimeout(() => resolve(`health check failed (signal ${signal})`), SIGNAL_GRACE_MS);
      } else resolve(`health check failed (${signal ? `signal ${signal}` : `exit ${code}`})`);
    });
  });
}
