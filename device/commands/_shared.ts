/**
 * Option tables, help fragments and helpers shared by check, install, update, status, rollback, gc.
 * @module
 */
import { schemeHint } from "../cli/scheme_hint.ts";
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { CommandIO } from "../cli/command.ts";
import { numberOption, optional, type OptionSpec, type Parsed, required } from "../cli/define_command.ts";
import type { FetchPolicy } from "../net/fetch.ts";
import { FETCH_DEFAULTS } from "../net/fetch_policy.ts";
import { UsageError } from "../cli/usage_error.ts";

export const TARGET: Record<string, OptionSpec> = { target: { type: "string" } };
export const WORKSPACE: Record<string, OptionSpec> = { workspace: { type: "string" } };
export const LOCKING: Record<string, OptionSpec> = { wait: { type: "string" } };
/** Retries, timeouts and slow-retrieval bounds of every command that downloads ({@linkcode downloadPolicyOf}). */
export const DOWNLOADING: Record<string, OptionSpec> = {
  retries: { type: "string" },
  timeout: { type: "string" },
  "min-rate": { type: "string" },
  "rate-window": { type: "string" },
  deadline: { type: "string" },
};
export const CHECKING: Record<string, OptionSpec> = {
  api: { type: "string" },
  "trusted-root": { type: "string" },
  "insecure-legacy": { type: "boolean" },
  ...DOWNLOADING,
};
export const INSTALLING: Record<string, OptionSpec> = {
  "health-cmd": { type: "string" },
  "health-timeout": { type: "string" },
};

export const HELP_TARGET = "  --target DIR          apps directory (env DROVER_TARGET)\n";
export const HELP_WORKSPACE =
  "  --workspace DIR       downloads, pending manifests, TUF metadata, status.json, lock\n" +
  "                        (env DROVER_WORKSPACE)\n";
export const HELP_LOCK =
  "  --wait SECONDS        wait this long for the workspace lock (default 0: exit 75 if busy)\n";
const { minRate, rateWindowMs, runDeadlineMs, documentTimeoutMs } = FETCH_DEFAULTS;
export const HELP_DOWNLOAD = "  --retries N           retries on transient network errors (default 4)\n" +
  "  --timeout SECONDS     connect and idle timeout of each request (default 15 and 30)\n" +
  "  --min-rate BYTES_PER_S\n" +
  "                        give up on a download slower than this on average over --rate-window\n" +
  `                        (default ${minRate}; 0: never; env DROVER_MIN_RATE): exit 75, the .part kept\n` +
  `  --rate-window SECONDS window of --min-rate (default ${rateWindowMs / 1000}; env DROVER_RATE_WINDOW)\n` +
  `  --deadline SECONDS    every download of the run ends by then (default ${runDeadlineMs / 1000}):\n` +
  `                        exit 75, the .part kept; a metadata document gets ${
    documentTimeoutMs / 1000
  } s at most\n` +
  "                        (env DROVER_DEADLINE)\n";
export const HELP_CHECK =
  "  --api URL|DIR         repository: http(s):// (a static repository or the edge), file://, or the\n" +
  "                        path of a directory holding one (env DROVER_API); neither a URL nor an\n" +
  "                        existing directory: exit 2; no repository there (no tuf/timestamp.json): exit 1\n" +
  "  --trusted-root FILE   provisioned TUF root (env DROVER_TRUSTED_ROOT; default <workspace>/tuf/root.json)\n" +
  "  --insecure-legacy     read an UNSIGNED radiodan releases document (sha1 only); warns loudly\n" +
  "  --cohort canary|none  canary: take every staged rollout first (bucket 0); none: not a canary\n" +
  "                        (env DROVER_COHORT; default: the enrollment label cohort=canary)\n" +
  HELP_DOWNLOAD;
export const HELP_INSTALL =
  "  --health-cmd CMD      run `sh -c CMD` in the new release after the switch (env DROVER_APP,\n" +
  "                        DROVER_RELEASE); failure switches back and marks the commit bad\n" +
  "  --health-timeout S    health-check timeout in seconds (default 60)\n";
export const HELP_COMMON =
  "  --json                one JSON document on stdout\n  -h, --help            this help\n";
export const HELP_EXIT =
  "Exit codes: 0 ok (also nothing to do), 1 failure, 2 usage, 3 verification or trust refused,\n" +
  "75 try later (lock held, network down), 130/143 interrupted by SIGINT/SIGTERM (not a failure: the\n" +
  "next run resumes).\n";

/** `--target` or DROVER_TARGET. */
export function targetOf(parsed: Parsed, io: CommandIO): string {
  return required(parsed, "target", { io, envName: "DROVER_TARGET" });
}

/** `--workspace` or DROVER_WORKSPACE. */
export function workspaceOf(parsed: Parsed, io: CommandIO): string {
  return required(parsed, "workspace", { io, envName: "DROVER_WORKSPACE" });
}

/** `--wait` in seconds (default 0). */
export function waitOf(parsed: Parsed): number {
  return numberOption(parsed, "wait", { min: 0 }) ?? 0;
}

/** A number option, else the environment default `io.env[envName]` (checked alike). */
function numberOrEnv(
  parsed: Parsed,
  io: CommandIO,
  o: { name: string; envName: string; min: number },
): number | undefined {
  const value = parsed.values[o.name] ?? io.env[o.envName];
  return numberOption({ ...parsed, values: { [o.name]: value === "" ? undefined : value } }, o.name, o);
}

/**
 * The download policy from `--retries`, `--timeout` and the slow-retrieval bounds `--min-rate`,
 * `--rate-window`, `--deadline` (or DROVER_MIN_RATE,
 * DROVER_RATE_WINDOW, DROVER_DEADLINE): the run's deadline starts now, default one hour.
 */
export function downloadPolicyOf(parsed: Parsed, io: CommandIO): FetchPolicy {
  const minRate = numberOrEnv(parsed, io, { name: "min-rate", envName: "DROVER_MIN_RATE", min: 0 });
  const window = numberOrEnv(parsed, io, { name: "rate-window", envName: "DROVER_RATE_WINDOW", min: 0.001 });
  const deadline = numberOrEnv(parsed, io, { name: "deadline", envName: "DROVER_DEADLINE", min: 0.001 });
  const timeout = numberOption(parsed, "timeout", { min: 0.001 });
  return {
    retries: numberOption(parsed, "retries", { min: 0, max: 100, integer: true }),
    connectTimeoutMs: timeout === undefined ? undefined : timeout * 1000,
    idleTimeoutMs: timeout === undefined ? undefined : timeout * 1000,
    minRate,
    rateWindowMs: window === undefined ? undefined : window * 1000,
    deadline: Date.now() + (deadline === undefined ? FETCH_DEFAULTS.runDeadlineMs : deadline * 1000),
    signal: io.signal,
  };
}

/** What `check` needs from the command line. */
export interface CheckFlags {
  api: URL;
  trustedRoot?: string;
  legacy: boolean;
  policy: FetchPolicy;
}

/**
 * The repository an `--api` value names: an http://, https:// or file:// URL, or the path of an existing
 * directory (a USB mount, a repository copy), as file://. Anything else is a `UsageError` (exit 2), with a
 * hint when it looks like a host without its scheme (`127.0.0.1:8787` would otherwise read as a path).
 */
export function apiUrlOf(raw: string): URL {
  const bad = (why: string) =>
    new UsageError(
      `--api '${raw}' ${why}${schemeHint(raw)}`,
    );
  if (!/^[a-z][a-z0-9+.-]*:/i.test(raw) || /^[a-z]:[\\/]/i.test(raw)) {
    if (raw === "" || !isDirectory(raw)) {
      throw bad("is neither a URL (http://, https://, file://) nor an existing directory");
    }
    return pathToFileURL(resolve(raw) + "/");
  }
  let api: URL;
  try {
    api = new URL(raw);
  } catch {
    throw bad("is not a URL");
  }
  if (!["http:", "https:", "file:"].includes(api.protocol)) {
    throw bad(`must be http://, https://, file:// or a directory (got ${api.protocol})`);
  }
  return api;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // missing, not a directory on the way, unreadable
  }
}

/** Parses the check flags (`--api`: see {@linkcode apiUrlOf}). */
export function checkFlagsOf(parsed: Parsed, io: CommandIO): CheckFlags {
  const api = apiUrlOf(required(parsed, "api", { io, envName: "DROVER_API" }));
  return {
    api,
    trustedRoot: optional(parsed, "trusted-root", { io, envName: "DROVER_TRUSTED_ROOT" }),
    legacy: parsed.values["insecure-legacy"] === true,
    policy: downloadPolicyOf(parsed, io),
  };
}

/** What `install` needs from the command line. */
export interface InstallFlags {
  healthCmd?: string;
  healthTimeoutMs: number;
}

/** Parses the install flags. */
export function installFlagsOf(parsed: Parsed): InstallFlags {
  const cmd = parsed.values["health-cmd"];
  const t = numberOption(parsed, "health-timeout", { min: 0.001 });
  return {
    healthCmd: typeof cmd === "string" && cmd !== "" ? cmd : undefined,
    healthTimeoutMs: (t ?? 60) * 1000,
  };
}

/** Prints `doc` as the one JSON document. */
export function printJson(io: CommandIO, doc: unknown): void {
  io.stdout(JSON.stringify(doc, null, 2) + "\n");
}

/** Log line on stderr (not in --json mode). */
export function logger(io: CommandIO, json: boolean): (text: string) => void {
  return json ? () => {} : (text) => io.stderr(text.endsWith("\n") ? text : text + "\n");
}
