/**
 * Installs a verified release into an app directory, so that a power cut at any moment leaves
 * `current` pointing at a complete release (the old one or the new one):
 *
 * 1. extract into `releases/.staging-<id>-<rand>` (inside `releases/`, same file system), re-hashing
 *    the blob while it streams into the extractor (`VerifyStream` in the pipe);
 * 2. write `.deploy` (name, ref, commit, serial, sha256, updated, installedAt), fsync;
 * 3. rename the staging directory to `releases/<id>`, fsync `releases/`;
 * 4. point `previous` at the old current release, then `current` at `releases/<id>`
 *    (symlink to a temp name + rename), fsync the app directory;
 * 5. run the health check, if any; on failure switch both links back and remove the release; when the
 *    run is interrupted during the check (`signal`), switch back too but keep the release, and report
 *    no verdict (the next run reuses it and checks it again).
 *
 * Steps 1 to 5 hold the app lock (`app_lock.ts`), so `gc` never prunes the release being installed
 * nor the `previous` a failed health check switches back to. A `current` pointing at a release that
 * does not exist is not moved to `previous` (nothing is there to go back to).
 *
 * Release ids are `<serial>-<commit12>` (signed serial), else `<updated>-<commit12>` (legacy,
 * `updated` as `YYYYMMDDTHHMMSSZ`), else `<now>-<commit12>`; `-2`, `-3`… is appended when taken
 * by a different release. A complete `releases/<id>` with the same commit and sha256 left by an
 * interrupted run is reused instead of extracted again.
 *
 * @example
 * ```ts ignore
 * import { installRelease } from "./install_release.ts";
 * const result = await installRelease("/opt/apps/radio", "/var/lib/drover/downloads/5f….blob", {
 *   deploy: { name: "acme/radio", ref: "main", commit: "68200ec154d6", serial: 7 },
 *   expected: { length: 1234, sha256: "5f…" },
 *   healthCmd: "./bin/selftest",
 * });
 * console.log(result.status, result.release);
 * ```
 * @module
 */
import { constants } from "node:fs";
import { mkdir, open, readFile, rename, rm, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { UntarStream } from "../../core/archive/mod.ts";
import { IntegrityError, TransientError } from "../../core/errors.ts";
import { VerifyStream } from "../../core/verify/mod.ts";
import type { Deploy } from "./scan_apps.ts";
import { fsyncDir } from "../fs/atomic_file.ts";
import { extractTo } from "../fs/extract.ts";
import type { Expected } from "../net/fetch.ts";
import { checkHealth, since } from "./_health.ts";
import { APP_LOCK_WAIT_SECONDS, lockApp } from "./app_lock.ts";
import { fileStream } from "../fs/file_streams.ts";
import { cleanLeftovers, normalisedLink, removeLink, removeRelease, switchLink } from "../fs/symlink.ts";
import { isLegacyAppName, isLegacyCommit, isRef } from "../../core/names/mod.ts";

/** Options of {@linkcode installRelease}. */
export interface InstallOptions {
  /** Written to `.deploy` (plus `installedAt`). */
  deploy: Deploy;
  /** What the blob must be (re-verified while extracting). */
  expected: Expected;
  /** Shell command run after the switch (cwd = the new release; env DROVER_APP, DROVER_RELEASE). */
  healthCmd?: string;
  /** Default 60 000. */
  healthTimeoutMs?: number;
  /** Environment for the health check (default `process.env`). */
  env?: Record<string, string | undefined>;
  /**
   * Cap on the extracted contents (UntarStream `maxTotalSize`; its default is 16 GiB). Set it when
   * extracting bytes not yet verified (install while downloading) to bound a decompression bomb.
   */
  maxExtractedSize?: number;
  /**
   * A source stream's chunks are the install's alone (nothing else reads or reuses them): they are
   * freed as soon as extracted (UntarStream's `releaseBuffers`). A blob path always is.
   */
  releaseChunks?: boolean;
  /** How long to wait for the app lock (`app_lock.ts`; default `APP_LOCK_WAIT_SECONDS`), then exit 75. */
  lockWaitSeconds?: number;
  /** Health-check output (default: dropped). */
  onOutput?: (text: string) => void;
  /** Told as each stage ends (awaited; for the fleet's report events). Must not throw. */
  onStage?: (event: InstallStageEvent) => void | Promise<void>;
  signal?: AbortSignal;
}

/**
 * A stage of an install as it ends: `staged` (the bytes read, verified and extracted, or a complete
 * release of an interrupted run `reused`; `streamed` when they came from the network), `health`
 * (the health check ran), `rollback` (switched back after a failed health check).
 */
export type InstallStageEvent =
  | { stage: "staged"; durationMs: number; streamed: boolean; reused: boolean }
  | { stage: "health"; ok: boolean; durationMs: number; error?: string }
  | { stage: "rollback"; durationMs: number };

/** What {@linkcode installRelease} did. */
export interface InstallResult {
  status: "installed" | "health-failed";
  /** Id (directory name) of the new release. */
  release: string;
  /** Id of the release `previous` points to now (the old current), if any. */
  previous?: string;
  /** Why the health check failed. */
  healthError?: string;
}

function compactTime(iso: string | undefined): string {
  const d = iso ? new Date(iso) : new Date();
  const t = Number.isNaN(d.getTime()) ? new Date() : d;
  return t.toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
}

/**
 * The base release id for a `.deploy` (see the module doc).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { releaseIdFor } from "./install_release.ts";
 * assert.equal(releaseIdFor({ name: "a/b", ref: "main", commit: "68200ec154d6dbdc", serial: 7 }), "7-68200ec154d6");
 * ```
 */
export function releaseIdFor(deploy: Deploy): string {
  const commit12 = deploy.commit.toLowerCase().slice(0, 12);
  if (Number.isSafeInteger(deploy.serial) && (deploy.serial as number) >= 0) {
    return `${deploy.serial}-${commit12}`;
  }
  return `${compactTime(deploy.updated)}-${commit12}`;
}

async function readDeployAt(dir: string): Promise<Deploy | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, ".deploy"), "utf8"));
  } catch {
    return undefined;
  }
}

/** Picks `releases/<id>`: reuse a complete one with the same commit+sha256, else the first free name. */
async function chooseId(releases: string, deploy: Deploy): Promise<{ id: string; reuse: boolean }> {
  const base = releaseIdFor(deploy);
  for (let n = 1;; n++) {
    const id = n === 1 ? base : `${base}-${n}`;
    if (!(await stat(join(releases, id)).catch(() => undefined))) return { id, reuse: false };
    const there = await readDeployAt(join(releases, id));
    if (there?.commit === deploy.commit && there?.sha256 === deploy.sha256 && deploy.sha256) {
      return { id, reuse: true };
    }
  }
}

async function writeDeploy(dir: string, deploy: Deploy): Promise<void> {
  const path = join(dir, ".deploy");
  await unlink(path).catch(() => {}); // an archive's own .deploy (maybe a symlink) is replaced, never followed
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const handle = await open(path, flags, 0o644);
  try {
    await handle.writeFile(JSON.stringify(deploy, null, 2) + "\n");
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fsyncDir(dir);
}

/** Extracts the blob into a fresh staging dir and renames it to `releases/<id>`. */
async function stage(releases: string, id: string, source: Source, options: InstallOptions, deploy: Deploy) {
  const staging = join(releases, `.staging-${id}-${randomBytes(4).toString("hex")}`);
  await mkdir(staging, { mode: 0o755 });
  try {
    const verify = new VerifyStream(options.expected, { name: `${deploy.name} ${deploy.commit}` });
    verify.done.catch(() => {}); // the pipe reports the same error
    const bytes = typeof source === "string" ? fileStream(source) : source();
    const untar = new UntarStream({
      gzip: "auto",
      maxTotalSize: options.maxExtractedSize,
      releaseBuffers: typeof source === "string" || options.releaseChunks === true,
    });
    // Explicit pipes, all awaited: an error anywhere cancels or aborts every other stage, and the
    // source (a network body, a .part being appended to) is closed before staging is removed.
    const stages = await Promise.allSettled([
      bytes.pipeTo(verify.writable),
      verify.readable.pipeTo(untar.writable),
      extractTo(untar.readable, staging, { signal: options.signal }),
    ]);
    const failed = firstFailure(stages);
    if (failed !== undefined) throw failed;
    await verify.done; // settled: the pipes ended, so verify's flush ran
    await writeDeploy(staging, deploy);
    await rename(staging, join(releases, id));
    await fsyncDir(releases);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The error to report from settled pipeline stages (source first): the source's own transient
 * failure (what follows from it downstream is a consequence), else an integrity failure (a digest
 * mismatch also makes the tar parser fail, less clearly), else the first in pipeline order.
 */
function firstFailure(stages: PromiseSettledResult<unknown>[]): unknown {
  const source = stages[0];
  if (source?.status === "rejected" && source.reason instanceof TransientError) return source.reason;
  const reasons = stages.flatMap((s) => (s.status === "rejected" ? [s.reason] : []));
  return reasons.find((r) => r instanceof IntegrityError) ?? reasons[0];
}

/** The archive: a verified blob's path, or a function that opens the bytes (install while downloading). */
export type Source = string | (() => ReadableStream<Uint8Array>);

/**
 * Installs `source` (a tar or tar.gz: a blob's path, or a stream opener) as a new release of the
 * app in `appDir` and switches `current` to it (see the module doc). Throws `IntegrityError` if the
 * bytes do not match `expected` or the archive is unsafe (nothing switched, staging removed). A
 * failed health check is not thrown: it resolves with `status: "health-failed"` after switching back.
 * The stream opener is not called when a complete release of an interrupted run is reused.
 */
export async function installRelease(
  appDir: string,
  source: Source,
  options: InstallOptions,
): Promise<InstallResult> {
  const d = options.deploy;
  if (!isLegacyAppName(d?.name) || !isRef(d.ref) || !isLegacyCommit(d.commit)) {
    throw new TypeError(`Cannot install into ${appDir}: invalid name, ref or commit`);
  }
  const releases = join(appDir, "releases");
  await mkdir(releases, { recursive: true });
  await using _lock = await lockApp(appDir, {
    waitSeconds: options.lockWaitSeconds ?? APP_LOCK_WAIT_SECONDS,
    signal: options.signal,
  });
  await cleanLeftovers(appDir);
  const deploy: Deploy = { ...d, commit: d.commit.toLowerCase(), installedAt: new Date().toISOString() };
  const stageStart = performance.now();
  const { id, reuse } = await chooseId(releases, deploy);
  if (!reuse) await stage(releases, id, source, options, deploy);
  await options.onStage?.({
    stage: "staged",
    durationMs: since(stageStart),
    streamed: typeof source !== "string",
    reused: reuse,
  });

  // a `current` pointing at nothing is no release to go back to (nor to keep as `previous`)
  const oldCurrent = await stat(join(appDir, "current")).then(
    () => normalisedLink(appDir, "current"),
    () => {},
  );
  const oldPrevious = await normalisedLink(appDir, "previous");
  const newLink = `releases/${id}`;
  if (oldCurrent && oldCurrent !== newLink) await switchLink(appDir, "previous", oldCurrent);
  await switchLink(appDir, "current", newLink);
  const previousId = oldCurrent && oldCurrent !== newLink ? oldCurrent.split("/").pop() : undefined;

  if (!options.healthCmd) return { status: "installed", release: id, previous: previousId };
  // switch back: current first (what runs), then previous
  const switchBack = async () => {
    if (oldCurrent && oldCurrent !== newLink) await switchLink(appDir, "current", oldCurrent);
    else if (!oldCurrent) await removeLink(appDir, "current"); // a first install: back to nothing installed
    if (oldPrevious && oldPrevious !== newLink) await switchLink(appDir, "previous", oldPrevious);
    else await removeLink(appDir, "previous");
  };
  let healthError: string | undefined;
  try {
    healthError = await checkHealth(join(releases, id), deploy.name, options);
  } catch (error) {
    // interrupted before a verdict: back as it was, the release kept for the next run to reuse and check
    if (options.signal?.aborted) await switchBack();
    throw error;
  }
  if (healthError === undefined) return { status: "installed", release: id, previous: previousId };

  const rollbackStart = performance.now();
  await switchBack();
  if (oldCurrent !== newLink) await removeRelease(releases, id);
  await options.onStage?.({ stage: "rollback", durationMs: since(rollbackStart) });
  return { status: "health-failed", release: id, previous: previousId, healthError };
}
