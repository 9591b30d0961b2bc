/**
 * App registration: `<target>/<dir>/.drover-app.json` (`{"name","ref"}`) marks a directory as an
 * app that `drover check/update` should install, even before anything is installed. Written by
 * `drover add` (atomically); read by `device/app/scan_apps.ts`. When a release is installed, its `.deploy`
 * names the app; the registration's `ref` is the ref tracked from then on (so editing it, or
 * `drover add` with another `--ref`, switches the tracked ref).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { readRegistration, registerApp } from "./registration.ts";
 * const target = await mkdtemp(join(tmpdir(), "reg-"));
 * const r = await registerApp(target, { name: "acme/radio", ref: "main" });
 * assert.ok(r.action === "registered" && r.dirName === "radio");
 * assert.equal((await readRegistration(join(target, "radio")))?.ref, "main");
 * await rm(target, { recursive: true });
 * ```
 * @module
 */
import { lstat, readdir, readFile, realpath, stat } from "node:fs/promises";
import { join } from "node:path";
import { NotFoundError } from "../../core/errors.ts";
import { writeFileAtomic } from "../fs/atomic_file.ts";
import { makeDir } from "../fs/make_dir.ts";
import { isAppName, isLegacyAppName, isRef, isSegment } from "../../core/names/mod.ts";

/** The registration file's name inside an app directory. */
export const REGISTRATION_FILE = ".drover-app.json";

/** What `.drover-app.json` holds. */
export interface Registration {
  name: string;
  ref: string;
}

/** What {@linkcode registerApp} did. */
export interface RegisterResult {
  /** Absolute canonical path of the app directory (the target's symlinks resolved). */
  dir: string;
  dirName: string;
  name: string;
  ref: string;
  /** `registered` (new), `unchanged` (same app and ref), `ref-changed` (same app, new tracked ref). */
  action: "registered" | "unchanged" | "ref-changed";
  /** The ref tracked before (`ref-changed`, or the installed release's ref when first registered). */
  previousRef: string | null;
}

/**
 * A directory name under the target: one safe segment (core/names `isSegment`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isAppDirName } from "./registration.ts";
 * assert.ok(isAppDirName("radio") && !isAppDirName("..") && !isAppDirName("a/b"));
 * ```
 */
export function isAppDirName(v: unknown): v is string {
  return isSegment(v);
}

/**
 * Parses `.drover-app.json` text; throws `SyntaxError`/`TypeError` naming the problem.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRegistration } from "./registration.ts";
 * assert.equal(parseRegistration('{"name":"acme/radio","ref":"main"}').name, "acme/radio");
 * ```
 */
export function parseRegistration(text: string): Registration {
  const v = JSON.parse(text);
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new TypeError("not a JSON object");
  // written by `drover add`; older versions also accepted a one-segment name
  if (!isLegacyAppName(v.name)) throw new TypeError(`invalid name ${JSON.stringify(v.name)}`);
  if (!isRef(v.ref)) throw new TypeError(`invalid ref ${JSON.stringify(v.ref)}`);
  return { name: v.name, ref: v.ref };
}

/**
 * Reads `<dir>/.drover-app.json`: `undefined` when there is none, else the registration; throws an
 * `Error` saying what is wrong when it is unreadable or invalid.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tmpdir } from "node:os";
 * import { readRegistration } from "./registration.ts";
 * assert.equal((await readRegistration(tmpdir())), undefined);
 * ```
 */
export async function readRegistration(dir: string): Promise<Registration | undefined> {
  const path = join(dir, REGISTRATION_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return undefined;
    throw new Error(`unreadable ${REGISTRATION_FILE} in ${dir}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    return parseRegistration(text);
  } catch (error) {
    throw new Error(`broken ${REGISTRATION_FILE} in ${dir}: ${(error as Error).message}`, { cause: error });
  }
}

async function installedName(dir: string): Promise<{ name?: string; ref?: string } | undefined> {
  const st = await lstat(join(dir, "current")).catch(() => undefined);
  if (!st) return undefined;
  try {
    const v = JSON.parse(await readFile(join(dir, "current/.deploy"), "utf8"));
    return { name: typeof v?.name === "string" ? v.name : undefined, ref: v?.ref };
  } catch {
    return {};
  }
}

/**
 * Registers app `name` (tracking `ref`) in `<target>/<dirName>` (default: the part of `name` after
 * `/`): creates the directory and `releases/`, writes `.drover-app.json` atomically. Idempotent for
 * the same name and ref; the same name with another ref changes the tracked ref. Throws `TypeError`
 * for an invalid name, ref or directory name (nothing written), `NotFoundError` if `target` is not a
 * directory (a symlink to one is fine), and `Error` if the directory holds another app, is not a directory, or holds files but
 * no app.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { registerApp } from "./registration.ts";
 * const target = await mkdtemp(join(tmpdir(), "reg-"));
 * await registerApp(target, { name: "acme/radio", ref: "main", dirName: "radio-app" });
 * const again = await registerApp(target, { name: "acme/radio", ref: "main", dirName: "radio-app" });
 * assert.equal(again.action, "unchanged");
 * await rm(target, { recursive: true });
 * ```
 */
export async function registerApp(
  target: string,
  options: { name: string; ref: string; dirName?: string },
): Promise<RegisterResult> {
  const { name, ref } = options;
  if (!isAppName(name)) throw new TypeError(`Cannot add app: invalid name '${name}' (want OWNER/APP)`);
  if (!isRef(ref)) throw new TypeError(`Cannot add ${name}: invalid ref '${ref}'`);
  const dirName = options.dirName ?? name.split("/").pop()!;
  if (!isAppDirName(dirName)) throw new TypeError(`Cannot add ${name}: invalid directory name '${dirName}'`);
  // the target may be reached through symlinks (as scanApps reads it); the app directory in it may not
  const root = await realpath(target).catch(() => undefined);
  const targetStat = root === undefined ? undefined : await stat(root).catch(() => undefined);
  if (root === undefined || !targetStat?.isDirectory()) {
    throw new NotFoundError(`Cannot add ${name}: target ${target} is not a directory`);
  }
  const dir = join(root, dirName);
  const st = await lstat(dir).catch(() => undefined);
  const result = { dir, dirName, name, ref };
  if (st && !st.isDirectory()) throw new Error(`Cannot add ${name}: ${dir} exists and is not a directory`);
  if (st) {
    const reg = await readRegistration(dir).catch((error) => {
      throw new Error(`Cannot add ${name}: ${(error as Error).message}`, { cause: error });
    });
    const installed = await installedName(dir);
    const holder = reg?.name ?? installed?.name;
    if (holder !== undefined && holder !== name) {
      throw new Error(`Cannot add ${name}: ${dir} already holds app ${holder}`);
    }
    if (installed && installed.name === undefined) {
      throw new Error(`Cannot add ${name}: ${dir} has a current release without a readable .deploy`);
    }
    if (!reg && !installed) {
      const stray = (await readdir(dir)).filter((e) => e !== "releases");
      if (stray.length) {
        throw new Error(
          `Cannot add ${name}: ${dir} is not empty and holds no app (${stray.slice(0, 3).join(", ")})`,
        );
      }
    }
    if (reg?.ref === ref) {
      await makeDir(join(dir, "releases"), { action: `add ${name}` });
      return { ...result, action: "unchanged", previousRef: null };
    }
    await makeDir(join(dir, "releases"), { action: `add ${name}` });
    await writeFileAtomic(join(dir, REGISTRATION_FILE), JSON.stringify({ name, ref }, null, 2) + "\n");
    const before = reg?.ref ?? (typeof installed?.ref === "string" ? installed.ref : null);
    return {
      ...result,
      action: reg ? "ref-changed" : "registered",
      previousRef: before === ref ? null : before,
    };
  }
  await makeDir(join(dir, "releases"), { action: `add ${name}` });
  await writeFileAtomic(join(dir, REGISTRATION_FILE), JSON.stringify({ name, ref }, null, 2) + "\n");
  return { ...result, action: "registered", previousRef: null };
}
