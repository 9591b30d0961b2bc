/**
 * `drover image get|list|clean-cache`: OS images by device type and version, through the verified cache
 * (`device/image/image_cache.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { command } from "./image.ts";
 * const out: string[] = [];
 * await command.run(["--help"], { stdout: (t) => out.push(t), stderr: () => {}, env: {}, stderrIsTTY: false });
 * assert.ok(out.join("").startsWith("Usage: drover image"));
 * ```
 * @module
 */
import { join, resolve } from "node:path";
import { stdout as processStdout } from "node:process";
import type { CommandIO } from "../cli/command.ts";
import { defineCommand, numberOption, optional, type Parsed } from "../cli/define_command.ts";
import { printResult } from "../cli/print_result.ts";
import { ImageCache, type ImageResult } from "../image/image_cache.ts";
import { IntegrityError } from "../../core/errors.ts";
import { ProgressBar } from "../cli/progress.ts";
import { UsageError } from "../cli/usage_error.ts";
import { apiUrlOf, DOWNLOADING, downloadPolicyOf } from "./_shared.ts";
import { ImageOutput } from "./_image_output.ts";

const help = `Usage: drover image get DEVICE_TYPE [VERSION_OR_RANGE] [--dev] [--output FILE|-] [options]
       drover image list DEVICE_TYPE [options]
       drover image clean-cache [--cache-dir DIR]

get          resolve VERSION_OR_RANGE (an exact version, a semver range, latest (default),
             recommended or default) against the signed image targets of the repository, and make
             sure the image is in the cache, verified. An exact version already cached is served
             with no network request; latest and ranges fall back to the cache, with a warning, when
             the repository cannot be reached. A cached image is verified again as it is read; a
             corrupt one is dropped and fetched again (offline: exit 3). Prints the cached path
             (read through and verified first), or writes the image to --output FILE (temp file,
             fsync, rename) or to stdout with --output -. A version with a chunked form is fetched
             by delta when older images of the device type are cached: only the chunks they lack
             (env DROVER_DELTA=0: never).
list         the versions the repository offers (prerelease and recommended flags, cached or not)
clean-cache  remove every cached image and partial download

Options:
  --dev                   the development variant (default: prod)
  --output FILE|-         write the image here (- for stdout); a FILE that cannot be written fails
                          before anything is fetched
  --verify                also re-hash a cached image in full before using it (every image is
                          verified while it is read; --output - always re-hashes a cached one first)
  --cache-dir DIR         the cache (env DROVER_CACHE_DIR; default $XDG_CACHE_HOME/drover or
                          ~/.cache/drover)
  --cache-max-bytes N     cache budget: evict least recently used images beyond N bytes
  --api URL|DIR           repository: http(s):// (a static repository or the edge), file://, or the
                          path of a directory holding one (env DROVER_API)
  --trusted-root FILE     provisioned TUF root (env DROVER_TRUSTED_ROOT; default
                          <workspace>/tuf/root.json, or <cache-dir>/tuf/root.json without a workspace)
  --workspace DIR         keep trusted metadata in <workspace>/tuf (env DROVER_WORKSPACE)
  --retries N             retries on transient network errors (default 4)
  --timeout SECONDS       connect and idle timeout of each request (default 15 / 30)
  --min-rate BYTES_PER_S  give up on a download slower than this on average over --rate-window
                          (default 4096; 0: never; env DROVER_MIN_RATE): exit 75, the .part kept
  --rate-window SECONDS   window of --min-rate (default 30; env DROVER_RATE_WINDOW)
  --deadline SECONDS      every download of the run ends by then (default 3600; env DROVER_DEADLINE)
  --json                  one JSON document {command, ok, exitCode, …}: get adds {deviceType, version,
                          variant, sha256, size, fromCache, path, delta?: {fetched, saved}}; list
                          {deviceType, versions}; clean-cache {removed}
  -h, --help              this help

Exit codes: 0 ok, 1 failure (no such device type or version, --output cannot be written), 2 usage, 3 verification or trust
refused (no trusted root), 75 try later (network down and nothing cached, cache locked).
`;

function cacheDirOf(p: Parsed, io: CommandIO): string {
  const dir = optional(p, "cache-dir", { io, envName: "DROVER_CACHE_DIR" });
  if (dir) return dir;
  const xdg = io.env.XDG_CACHE_HOME;
  if (xdg) return join(xdg, "drover");
  if (io.env.HOME) return join(io.env.HOME, ".cache", "drover");
  throw new UsageError("missing --cache-dir (or env DROVER_CACHE_DIR)");
}

function cacheOf(p: Parsed, io: CommandIO): ImageCache {
  const cacheDir = cacheDirOf(p, io);
  const raw = optional(p, "api", { io, envName: "DROVER_API" });
  const api = raw === undefined ? undefined : apiUrlOf(raw);
  const workspace = optional(p, "workspace", { io, envName: "DROVER_WORKSPACE" });
  return new ImageCache({
    cacheDir,
    api,
    trustedRoot: optional(p, "trusted-root", { io, envName: "DROVER_TRUSTED_ROOT" }),
    tufDir: workspace ? join(workspace, "tuf") : undefined,
    maxBytes: numberOption(p, "cache-max-bytes", { min: 0, integer: true }),
    fetch: downloadPolicyOf(p, io),
    delta: io.env.DROVER_DELTA !== "0",
    onWarning: (m) => io.stderr(`drover image: warning: ${m}\n`),
  });
}

async function writeStdout(stream: ReadableStream<Uint8Array>) {
  for await (const chunk of stream) {
    if (!processStdout.write(chunk)) await new Promise((r) => processStdout.once("drain", r));
  }
}

/**
 * Hands the image to --output (a file, or stdout), or without it reads it through (which verifies it) so
 * that the cached path printed is a verified file; resolves to the path to print.
 */
async function deliver(
  result: ImageResult,
  options: { output?: ImageOutput | "-"; signal?: AbortSignal },
): Promise<string> {
  const { output, signal } = options;
  if (output === undefined) {
    await result.stream.pipeTo(new WritableStream(), { signal });
    return result.path;
  }
  if (output === "-") {
    await writeStdout(result.stream);
    return result.path;
  }
  await output.write(result.stream, signal);
  return resolve(output.path);
}

async function get(p: Parsed, io: CommandIO): Promise<number> {
  const [deviceType, request] = [p.positionals[1], p.positionals[2]];
  if (!deviceType) throw new UsageError("missing DEVICE_TYPE");
  const output = optional(p, "output");
  if (output === "-" && p.json) throw new UsageError("--output - and --json both want stdout");
  const cache = cacheOf(p, io);
  // a path that cannot be written fails now, not after the download
  const file = output === undefined || output === "-" ? undefined : new ImageOutput(output);
  await file?.check();
  const target = output === "-" ? "-" : file;
  const resolveImage = async () => {
    let bar: ProgressBar | undefined;
    try {
      const result = await cache.get(deviceType, request ?? "latest", {
        variant: p.values.dev ? "dev" : "prod",
        // stdout cannot take bytes back: a cached image is re-hashed before the first byte goes out
        verify: p.values.verify === true || output === "-",
        signal: io.signal,
        onProgress: (bytes, total) => {
          bar ??= new ProgressBar(io, { label: `${deviceType} ${request ?? "latest"}`, total, json: p.json });
          bar.update(bytes, total);
        },
      });
      bar?.done();
      return result;
    } catch (error) {
      bar?.done({ ok: false });
      if (error instanceof SyntaxError) throw new UsageError(error.message, { cause: error });
      throw error;
    }
  };
  // The image is verified while it is delivered; a cached copy that fails has dropped itself: get it once
  // more (fetched again, or IntegrityError when offline: exit 3). Not after stdout has had bytes.
  let result = await resolveImage();
  let path: string;
  try {
    path = await deliver(result, { output: target, signal: io.signal });
  } catch (error) {
    if (!(error instanceof IntegrityError) || output === "-") throw error;
    result = await resolveImage();
    path = await deliver(result, { output: target, signal: io.signal });
  }
  const { stream: _s, ...info } = result;
  if (p.json) printResult(io, p, { doc: { ...info, path }, text: "" }); // --json only
  else if (output !== "-") {
    io.stderr(
      `${info.deviceType} ${info.version} (${info.variant})${info.fromCache ? " from the cache" : ""}\n`,
    );
    io.stdout(path + "\n");
  }
  return 0;
}

async function list(p: Parsed, io: CommandIO): Promise<number> {
  const deviceType = p.positionals[1];
  if (!deviceType) throw new UsageError("missing DEVICE_TYPE");
  const versions = await cacheOf(p, io).list(deviceType);
  if (p.json) {
    printResult(io, p, { doc: { deviceType, versions }, text: "" }); // --json only
    return 0;
  }
  for (const v of versions) {
    const flags = [
      v.variant,
      v.prerelease ? "prerelease" : "",
      v.recommended ? "recommended" : "",
      v.cached ? "cached" : "",
    ]
      .filter(Boolean).join(", ");
    io.stdout(`${v.version}\t${flags}\n`);
  }
  return 0;
}

async function cleanCache(p: Parsed, io: CommandIO): Promise<number> {
  const removed = await new ImageCache({ cacheDir: cacheDirOf(p, io) }).cleanCache();
  if (p.json) printResult(io, p, { doc: { removed }, text: "" }); // --json only
  else io.stderr(`removed ${removed} cached image${removed === 1 ? "" : "s"}\n`);
  return 0;
}

/** The `image` command. */
export const command = defineCommand({
  name: "image",
  summary: "get OS images by device type and version (verified cache), list versions, clean the cache",
  help,
  positionals: { min: 1, max: 3 },
  options: {
    dev: { type: "boolean" },
    output: { type: "string", short: "o" },
    verify: { type: "boolean" },
    "cache-dir": { type: "string" },
    "cache-max-bytes": { type: "string" },
    api: { type: "string" },
    "trusted-root": { type: "string" },
    workspace: { type: "string" },
    ...DOWNLOADING,
  },
  run(p, io) {
    const action = p.positionals[0];
    if (action === "get") return get(p, io);
    if (action === "list") {
      if (p.positionals.length > 2) throw new UsageError(`unexpected argument '${p.positionals[2]}'`);
      return list(p, io);
    }
    if (action === "clean-cache") {
      if (p.positionals.length > 1) throw new UsageError(`unexpected argument '${p.positionals[1]}'`);
      return cleanCache(p, io);
    }
    throw new UsageError(`unknown action '${action}' (get, list or clean-cache)`);
  },
});
