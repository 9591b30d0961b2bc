/**
 * Scans a target directory for apps: each sub-directory with a `current` symlink (relative or
 * absolute, radiodan layouts as they are) whose release holds a `.deploy` JSON
 * `{name, ref, commit, ...}`, or with a `.drover-app.json` registration (`drover add`; see
 * `app_registration.ts`): registered with nothing installed yet when it has no `current`. When both
 * exist, `.deploy` names the installed release and the registration's ref is the tracked ref.
 * Directories with neither are skipped quietly; a broken app (missing or invalid `.deploy` or
 * registration, a registration naming another app, a second directory with the same name and ref) is
 * reported as a problem and the scan goes on. A `current` pointing at a release that does not exist
 * (removed by hand, a damaged card) is recoverable when the app is still known, by its registration or
 * a valid `previous` in its own `releases/`: the app is then `damaged` (nothing current; `recover_app.ts`
 * repairs it), else a problem. One name on two refs is two apps (radiodan's
 * layout: `radio-master` and `radio-develop`); their keys are then `name@ref` (`app_key.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, mkdir, rm, symlink, writeFile } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { scanApps } from "./scan_apps.ts";
 * const target = await mkdtemp(join(tmpdir(), "apps-"));
 * await mkdir(join(target, "hello/releases/1"), { recursive: true });
 * await writeFile(join(target, "hello/releases/1/.deploy"), '{"name":"acme/hello","ref":"main","commit":"abc1234"}');
 * await symlink("releases/1", join(target, "hello/current"));
 * const { apps } = await scanApps(target);
 * assert.equal(apps[0]?.name, "acme/hello");
 * await rm(target, { recursive: true });
 * ```
 * @module
 */
import { lstat, readdir, readFile, readlink, realpath } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { NotFoundError } from "../../core/errors.ts";
import { isLegacyAppName, isLegacyCommit, isRef } from "../../core/names/mod.ts";
import { readRegistration, type Registration, REGISTRATION_FILE } from "./registration.ts";
import { refKey } from "./app_key.ts";

/** The `.deploy` file of a release. Drover writes all fields; radiodan wrote the first three. */
export interface Deploy {
  name: string;
  ref: string;
  commit: string;
  serial?: number;
  sha256?: string;
  updated?: string;
  version?: string;
  installedAt?: string;
  [k: string]: unknown;
}

/** A release a link points to. */
export interface ReleaseRef {
  /** Directory name of the release (`<serial>-<commit12>`, or radiodan's timestamp). */
  id: string;
  /** Resolved absolute path. */
  path: string;
  /** The link text as it is on disk (relative or absolute). */
  link: string;
  deploy?: Deploy;
}

/** An app: installed (`current` set), or registered with nothing installed (`current` undefined). */
export interface App {
  /**
   * Absolute canonical path of the app directory (symlinks resolved, as `ReleaseRef.path`), whatever
   * form the target was given in (relative, through a symlink): compare it with release paths freely.
   */
  dir: string;
  dirName: string;
  name: string;
  /** The tracked ref: the registration's when there is one, else the installed `.deploy`'s. */
  ref: string;
  /**
   * Its identity (`app_key.ts`): set by {@linkcode scanApps}, the name, or `name@ref` when the target
   * holds the name on more than one ref; absent, the name.
   */
  key?: string;
  /** Installed commit (lower case); `null` when nothing is installed yet. */
  commit: string | null;
  /** The current release's `.deploy`; `undefined` when nothing is installed yet. */
  deploy?: Deploy;
  current?: ReleaseRef;
  previous?: ReleaseRef;
  /** `.drover-app.json`, if the app was registered with `drover add`. */
  registration?: Registration;
  /**
   * Set when `current` points at a release that does not exist (`current`, `commit` and `deploy` are
   * then unset; `previous`, when set, is a valid release in the app's own `releases/`): what is wrong.
   */
  damaged?: { link: string; message: string };
}

/** An app directory that has the layout but cannot be used. */
export interface AppProblem {
  dir: string;
  dirName: string;
  message: string;
}

/**
 * Parses and validates `.deploy` text; throws `SyntaxError`/`TypeError` naming the problem.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDeploy } from "./scan_apps.ts";
 * const d = parseDeploy('{"name":"radiodan/magic-button","ref":"master","commit":"d0ab003"}');
 * assert.equal(d.ref, "master");
 * ```
 */
export function parseDeploy(text: string): Deploy {
  const v = JSON.parse(text);
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new TypeError("not a JSON object");
  if (!isLegacyAppName(v.name)) throw new TypeError(`invalid name ${JSON.stringify(v.name)}`);
  if (!isRef(v.ref)) throw new TypeError(`invalid ref ${JSON.stringify(v.ref)}`);
  if (!isLegacyCommit(v.commit)) throw new TypeError(`invalid commit ${JSON.stringify(v.commit)}`);
  if (v.serial !== undefined && !Number.isSafeInteger(v.serial)) throw new TypeError("invalid serial");
  return v as Deploy;
}

/** `<dir>/<name>`: not a link (`undefined`), a link to a missing release (`{ missing }`), or the release. */
async function readRelease(dir: string, name: string): Promise<ReleaseRef | { missing: string } | undefined> {
  const linkPath = join(dir, name);
  const st = await lstat(linkPath).catch(() => undefined);
  if (!st?.isSymbolicLink()) return undefined;
  const link = await readlink(linkPath);
  let path: string;
  try {
    path = await realpath(linkPath);
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return { missing: link };
    throw new Error(`'${name}' -> ${link} cannot be resolved: ${(error as Error).message}`, { cause: error });
  }
  return { id: basename(path), path, link };
}

/** `previous` when it is a valid release of the app in its own `releases/` (what a damaged app goes back to). */
async function validPrevious(dir: string, name?: string): Promise<ReleaseRef | undefined> {
  const previous = await readRelease(dir, "previous").catch(() => undefined);
  if (!previous || "missing" in previous) return undefined;
  const releases = await realpath(join(dir, "releases")).catch(() => undefined); // may be a symlink itself
  if (dirname(previous.path) !== releases) return undefined;
  previous.deploy = await readDeploy(previous).catch(() => undefined);
  if (!previous.deploy || (name !== undefined && previous.deploy.name !== name)) return undefined;
  return previous;
}

async function readDeploy(release: ReleaseRef): Promise<Deploy> {
  let text: string;
  try {
    text = await readFile(join(release.path, ".deploy"), "utf8");
  } catch (error) {
    throw new Error(`no readable .deploy in ${release.path}`, { cause: error });
  }
  try {
    return parseDeploy(text);
  } catch (error) {
    throw new Error(`broken .deploy in ${release.path}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Reads one app directory: `undefined` without a `current` link or a registration (not an app, or no
 * such directory), an {@linkcode App} (its `dir` canonical: absolute, symlinks resolved), or throws an
 * `Error` saying what is broken.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tmpdir } from "node:os";
 * import { readApp } from "./scan_apps.ts";
 * assert.equal((await readApp(tmpdir())), undefined);
 * ```
 */
export async function readApp(path: string): Promise<App | undefined> {
  const dir = await realpath(path).catch(() => undefined);
  if (dir === undefined) return undefined;
  const registration = await readRegistration(dir);
  const current = await readRelease(dir, "current");
  if (current && "missing" in current) return damagedApp(dir, current.missing, registration);
  if (!current) {
    if (!registration) return undefined;
    const { name, ref } = registration;
    return { dir, dirName: basename(dir), name, ref, commit: null, registration };
  }
  const deploy = await readDeploy(current);
  current.deploy = deploy;
  if (registration && registration.name !== deploy.name) {
    throw new Error(
      `${REGISTRATION_FILE} names ${registration.name} but the current release is ${deploy.name}`,
    );
  }
  let previous: ReleaseRef | undefined;
  try {
    const read = await readRelease(dir, "previous");
    previous = read && !("missing" in read) ? read : undefined; // a dangling `previous` does not break the app
    if (previous) previous.deploy = await readDeploy(previous).catch(() => undefined);
  } catch {
    previous = undefined;
  }
  return {
    dir,
    dirName: basename(dir),
    name: deploy.name,
    ref: registration?.ref ?? deploy.ref,
    commit: deploy.commit.toLowerCase(),
    deploy,
    current,
    previous,
    ...(registration ? { registration } : {}),
  };
}

/** An app whose `current` points at a missing release: known by its registration or valid `previous`. */
async function damagedApp(dir: string, link: string, registration?: Registration): Promise<App> {
  const message = `'current' -> ${link} does not exist`;
  const previous = await validPrevious(dir, registration?.name);
  const known = registration ?? previous?.deploy;
  if (!known) {
    throw new Error(`${message}, and no valid previous release or ${REGISTRATION_FILE} names the app`);
  }
  return {
    dir,
    dirName: basename(dir),
    name: known.name,
    ref: known.ref,
    commit: null,
    previous,
    damaged: { link, message },
    ...(registration ? { registration } : {}),
  };
}

/**
 * Scans `target` (see the module doc). Throws `NotFoundError` if `target` is not a directory. The
 * apps' and problems' `dir` are canonical (absolute, symlinks resolved) whatever form `target` has.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { scanApps } from "./scan_apps.ts";
 * const target = await mkdtemp(join(tmpdir(), "apps-"));
 * const { apps, problems } = await scanApps(target);
 * assert.ok(apps.length === 0 && problems.length === 0);
 * await rm(target, { recursive: true });
 * ```
 */
export async function scanApps(target: string): Promise<{ apps: App[]; problems: AppProblem[] }> {
  let entries;
  let root: string;
  try {
    root = await realpath(target);
    entries = await readdir(root, { withFileTypes: true });
  } catch (error) {
    // what is wrong with the directory, not the errno text of the call that found it
    const code = (error as { code?: unknown })?.code;
    const detail = code === "ENOENT"
      ? "the directory does not exist"
      : code === "ENOTDIR"
      ? "it is not a directory"
      : code === "EACCES" || code === "EPERM"
      ? "permission denied"
      : (error as Error).message;
    throw new NotFoundError(`Cannot scan target ${target}: ${detail}`, { cause: error });
  }
  const apps: App[] = [];
  const problems: AppProblem[] = [];
  const byNameRef = new Map<string, App>();
  const refsOf = new Map<string, Set<string>>();
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    const dir = join(root, entry.name);
    try {
      const app = await readApp(dir);
      if (!app) continue;
      const other = byNameRef.get(refKey(app.name, app.ref));
      if (other) throw new Error(`app ${app.name} (ref ${app.ref}) is also installed in ${other.dir}`);
      byNameRef.set(refKey(app.name, app.ref), app);
      let refs = refsOf.get(app.name);
      if (!refs) refsOf.set(app.name, refs = new Set());
      refs.add(app.ref);
      apps.push(app);
    } catch (error) {
      problems.push({ dir, dirName: entry.name, message: (error as Error).message });
    }
  }
  for (const app of apps) app.key = refsOf.get(app.name)!.size > 1 ? refKey(app.name, app.ref) : app.name;
  return { apps, problems };
}
