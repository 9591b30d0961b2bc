/**
 * The device workspace (DESIGN §4): `downloads/` (content-addressed `.part` and `.blob` files),
 * `manifests/<owner~app>.json` (pending installs; `<owner~app>@<ref>.json` for an app whose name the
 * target holds on more than one ref, its key being `name@ref`: device/app/app_key.ts), `tuf/`
 * (trusted metadata), `status.json` and `lock`. Every document is written atomically.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { Workspace } from "./workspace.ts";
 * const ws = new Workspace(await mkdtemp(join(tmpdir(), "ws-")));
 * await ws.init();
 * await ws.updateStatus((s) => { s.lastCheck = { at: new Date().toISOString(), ok: true }; });
 * assert.equal((await ws.readStatus()).lastCheck?.ok, true);
 * await rm(ws.dir, { recursive: true });
 * ```
 * @module
 */
import { readdir, readFile, stat, unlink } from "node:fs/promises";
import { join, resolve } from "node:path";
import { NotFoundError } from "../../core/errors.ts";
import { writeFileAtomic } from "./atomic_file.ts";
import { acquireLock, type Lock } from "./lock.ts";
import { makeDir } from "./make_dir.ts";
import { appSlug, isLegacyAppName, isLegacyCommit, isRef, isSha1, isSha256 } from "../../core/names/mod.ts";

/** Outcome of the last check or install. */
export interface RunRecord {
  at: string;
  ok: boolean;
  error?: { code: string; message: string };
}

/** Per-app state in `status.json`. */
export interface AppStatus {
  ref: string;
  /** Commit of the current release. */
  current: string | null;
  /** Commit of the previous release. */
  previous: string | null;
  /** Commit downloaded and waiting for `install`. */
  pending?: string;
  /** Commits that failed their health check (or were rolled back): not retried. */
  bad: string[];
  lastError?: { at: string; code: string; message: string };
}

/** `<workspace>/status.json`. */
export interface Status {
  version: 1;
  lastCheck?: RunRecord;
  lastInstall?: RunRecord;
  /** The last `gc` run with a workspace. */
  lastGc?: RunRecord;
  apps: Record<string, AppStatus>;
}

/** `<workspace>/manifests/<owner~app>.json`: a verified download waiting to be installed. */
export interface PendingManifest {
  version: 1;
  name: string;
  ref: string;
  commit: string;
  /** Name of the app's directory under the target. */
  dirName: string;
  source: "tuf" | "insecure-legacy";
  /** Key of the blob: `<sha256>`; without sha256, `sha512-<sha512>`, `sha384-<sha384>` (TUF) or
   * `sha1-<sha1>` (legacy). */
  blob: string;
  length?: number;
  sha256?: string;
  sha1?: string;
  sha384?: string;
  sha512?: string;
  serial?: number;
  updated?: string;
  appVersion?: string;
  allowDowngrade?: boolean;
  /** TUF target path, or the legacy download URL. */
  origin: string;
  /** Where to download it when the blob is not there yet (`update` installs while downloading). */
  url?: string;
  /**
   * Downloaded by delta: `downloads/<blob>.tar` holds the uncompressed stream, verified against the
   * signed chunk index's sha256 and length (re-verified while installing).
   */
  tar?: { sha256: string; length: number };
  downloadedAt: string;
}

function validManifest(v: PendingManifest): boolean {
  return v?.version === 1 && isLegacyAppName(v.name) && isRef(v.ref) && isLegacyCommit(v.commit) &&
    typeof v.dirName === "string" && /^[^/\\]+$/.test(v.dirName) && !v.dirName.startsWith(".") &&
    (v.sha256 === undefined || isSha256(v.sha256)) && (v.sha1 === undefined || isSha1(v.sha1)) &&
    (v.sha384 === undefined || /^[0-9a-f]{96}$/.test(v.sha384)) &&
    (v.sha512 === undefined || /^[0-9a-f]{128}$/.test(v.sha512)) &&
    (v.sha256 !== undefined || v.sha1 !== undefined || v.sha384 !== undefined || v.sha512 !== undefined) &&
    (v.blob === v.sha256 || v.blob === `sha512-${v.sha512}` || v.blob === `sha384-${v.sha384}` ||
      v.blob === `sha1-${v.sha1}`) &&
    (v.length === undefined || (Number.isSafeInteger(v.length) && v.length >= 0)) &&
    (v.serial === undefined || Number.isSafeInteger(v.serial)) &&
    (v.url === undefined || /^(https?|file):\/\//.test(String(v.url)));
}

/** The workspace directory and its documents. */
export class Workspace {
  /** Absolute path of the workspace. */
  readonly dir: string;
  readonly downloads: string;
  readonly manifests: string;
  readonly tuf: string;
  readonly statusPath: string;
  readonly lockPath: string;

  constructor(dir: string) {
    if (typeof dir !== "string" || dir === "") throw new TypeError("Cannot open workspace: empty path");
    this.dir = resolve(dir);
    this.downloads = join(this.dir, "downloads");
    this.manifests = join(this.dir, "manifests");
    this.tuf = join(this.dir, "tuf");
    this.statusPath = join(this.dir, "status.json");
    this.lockPath = join(this.dir, "lock");
  }

  /**
   * Creates the workspace directories (idempotent). Only for commands that fill a workspace (check,
   * install, update, enroll); one that only reads or empties it calls {@linkcode Workspace.mustExist}.
   */
  async init(): Promise<void> {
    const action = `create the workspace ${this.dir}`;
    for (const d of [this.dir, this.downloads, this.manifests, this.tuf]) await makeDir(d, { action });
  }

  /**
   * Throws `NotFoundError` (`Cannot <action>: workspace <dir> does not exist`, or `… is not a
   * directory`) unless the workspace directory exists; creates nothing, so a mistyped `--workspace` leaves no directories behind.
   */
  async mustExist(action: string): Promise<void> {
    const st = await stat(this.dir).catch(() => undefined);
    if (!st) throw new NotFoundError(`Cannot ${action}: workspace ${this.dir} does not exist`);
    if (!st.isDirectory()) {
      throw new NotFoundError(`Cannot ${action}: workspace ${this.dir} is not a directory`);
    }
  }

  /** Takes the workspace lock (see `device/fs/lock.ts`). */
  lock(options: { waitSeconds?: number; signal?: AbortSignal } = {}): Promise<Lock> {
    return acquireLock(this.lockPath, options);
  }

  /** `downloads/<key>.blob`: a verified download. */
  blobPath(key: string): string {
    return join(this.downloads, `${key}.blob`);
  }

  /** `downloads/<key>.part`: a partial download. */
  partPath(key: string): string {
    return join(this.downloads, `${key}.part`);
  }

  /** `status.json`, or an empty status if there is none (or it is unreadable). */
  async readStatus(): Promise<Status> {
    try {
      const v = JSON.parse(await readFile(this.statusPath, "utf8"));
      if (v?.version === 1 && v.apps && typeof v.apps === "object") return v as Status;
    } catch { /* missing or corrupt: start again */ }
    return { version: 1, apps: {} };
  }

  /**
   * Read-modify-write of `status.json` (call under the lock). Commands write it through
   * `device/app/status_writer.ts`, which derives each app's entry from disk.
   */
  async updateStatus(change: (status: Status) => void): Promise<Status> {
    const status = await this.readStatus();
    change(status);
    await writeFileAtomic(this.statusPath, JSON.stringify(status, null, 2) + "\n");
    return status;
  }

  /** The pending manifests; unreadable ones are returned as problems. */
  async readPending(): Promise<
    { manifests: PendingManifest[]; problems: { file: string; message: string }[] }
  > {
    const manifests: PendingManifest[] = [];
    const problems: { file: string; message: string }[] = [];
    const names = await readdir(this.manifests).catch(() => [] as string[]);
    for (const file of names.sort()) {
      if (!file.endsWith(".json") || file.startsWith(".")) continue;
      try {
        const v = JSON.parse(await readFile(join(this.manifests, file), "utf8")) as PendingManifest;
        const named = file === `${appSlug(v.name)}.json` || file === `${appSlug(v.name)}@${v.ref}.json`;
        if (!validManifest(v) || !named) throw new TypeError("invalid manifest");
        manifests.push(v);
      } catch (error) {
        problems.push({ file, message: `Cannot read pending manifest ${file}: ${(error as Error).message}` });
      }
    }
    return { manifests, problems };
  }

  /**
   * Writes (replaces) the pending manifest of app `key` (default `manifest.name`; `name@ref` for an
   * app whose name the target holds on more than one ref). The record of the same name and ref under
   * the other file name (the key changed since) is removed.
   */
  async writePending(manifest: PendingManifest, options: { key?: string } = {}): Promise<void> {
    if (!validManifest(manifest)) throw new TypeError(`Cannot write pending manifest: invalid fields`);
    const qualified = `${appSlug(manifest.name)}@${manifest.ref}.json`;
    const key = options.key ?? manifest.name;
    if (key !== manifest.name && key !== `${manifest.name}@${manifest.ref}`) {
      throw new TypeError(`Cannot write pending manifest: key ${key} is not ${manifest.name}'s`);
    }
    const plain = `${appSlug(manifest.name)}.json`;
    await writeFileAtomic(
      join(this.manifests, key === manifest.name ? plain : qualified),
      JSON.stringify(manifest, null, 2) + "\n",
    );
    if (key === manifest.name) return await this.removePending("", { file: qualified });
    const held = await readFile(join(this.manifests, plain), "utf8").then(
      (t) => JSON.parse(t)?.ref,
      () => null,
    );
    if (held === manifest.ref) await this.removePending("", { file: plain });
  }

  /**
   * Removes the pending manifest of app `key` (idempotent): `<owner~app>.json` for a name, and
   * `<owner~app>@<ref>.json` for `name@ref` (or a name with `ref`), plus `<owner~app>.json` when it
   * holds that ref (written before the key changed). A bad file name is removed by `file`.
   */
  async removePending(key: string, options: { ref?: string; file?: string } = {}): Promise<void> {
    const remove = (file: string) =>
      unlink(join(this.manifests, file)).catch((e) => {
        if (e.code !== "ENOENT") throw e;
      });
    if (options.file !== undefined) {
      if (options.file.includes("/")) {
        throw new TypeError(`Cannot remove pending manifest: bad file name ${options.file}`);
      }
      return await remove(options.file);
    }
    const at = key.indexOf("@");
    const name = at < 0 ? key : key.slice(0, at);
    const ref = at < 0 ? options.ref : key.slice(at + 1);
    const plain = `${appSlug(name)}.json`;
    if (ref !== undefined) await remove(`${appSlug(name)}@${ref}.json`);
    if (at < 0) return await remove(plain);
    const held = await readFile(join(this.manifests, plain), "utf8").then(
      (t) => JSON.parse(t)?.ref,
      () => null,
    );
    if (held === ref) await remove(plain);
  }
}
