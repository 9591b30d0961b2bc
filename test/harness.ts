/**
 * Shared helpers of the device test suites (e2e, crash, attacks): temp dirs, the repository CLI
 * (`scripts/repo.ts`), the bundles (built when older than the sources), the bundled `drover` CLI as
 * a child process with a timeout (the one runner of every suite: under Node unless `runtime` or env
 * `DROVER_TEST_RUNTIME` says Deno; `test/e2e/device_fixture.ts` runs it under Deno), a Range-capable
 * static server whose responses a test can replace, and tree snapshots for "nothing changed on disk".
 *
 * @example
 * ```ts ignore
 * import { buildRepo, runDrover, serveDir, tempDir } from "./harness.ts";
 * await using tmp = await tempDir("example-");
 * const repo = await buildRepo(tmp.join("repo"), []);
 * await using server = serveDir(repo.dir);
 * const r = await runDrover(["check", "--api", server.url, "--target", tmp.join("t"), "--workspace", tmp.join("w")]);
 * console.log(r.code, r.stderr);
 * ```
 * @module
 */
import { createHash, randomFillSync } from "node:crypto";
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeMetadata, type KeyPair, parseKeyFile, signEnvelope } from "../core/trust/mod.ts";
import { type LoggedRequest, serveStatic } from "./e2e/static_server.ts";

/** Repository root. */
export const ROOT: string = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The bundled CLI the tests run. */
export const DROVER_MJS: string = join(ROOT, "dist/drover.mjs");
/** The bundled repository CLI. */
export const DROVER_REPO_MJS: string = join(ROOT, "dist/drover-repo.mjs");
const DENO = Deno.execPath();

/** A temp directory removed on dispose. */
export interface TempDir extends AsyncDisposable {
  readonly path: string;
  join(...parts: string[]): string;
}

/** A fresh directory under `parent` (default the system temp dir); `await using` removes it afterwards. */
export async function tempDir(prefix = "drover-test-", parent: string = tmpdir()): Promise<TempDir> {
  const path = await mkdtemp(join(parent, prefix));
  return {
    path,
    join: (...parts) => join(path, ...parts),
    [Symbol.asyncDispose]: () => rm(path, { recursive: true, force: true }),
  };
}

/** Output of a finished child process. */
export interface RunResult {
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
}

/** Options of {@linkcode runDrover} and {@linkcode runCommand}. */
export interface RunOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** Kill (SIGKILL) and throw after this long (default 60 s). */
  timeoutMs?: number;
  /** Which runtime runs dist/drover.mjs (default env DROVER_TEST_RUNTIME, else "node"). */
  runtime?: "node" | "deno";
  /** Run this executable instead of dist/drover.mjs (a compiled binary). */
  executable?: string;
}

/** Runs `cmd args` to completion with a timeout; never throws for a non-zero exit. */
export async function runCommand(cmd: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const child = new Deno.Command(cmd, {
    args,
    cwd: options.cwd ?? ROOT,
    env: { NO_COLOR: "1", ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timeoutMs = options.timeoutMs ?? 60_000;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  const out = await child.output().finally(() => clearTimeout(timer));
  const result = {
    code: out.code,
    signal: out.signal,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
  if (timedOut) {
    throw new Error(`${cmd} ${args.join(" ")} timed out after ${timeoutMs} ms:\n${result.stderr}`);
  }
  return result;
}

/** The command line that runs `drover args` (bundle under node or deno, or a compiled binary). */
export function droverCommand(args: string[], options: RunOptions = {}): [string, string[]] {
  if (options.executable) return [options.executable, args];
  const runtime = options.runtime ?? (Deno.env.get("DROVER_TEST_RUNTIME") === "deno" ? "deno" : "node");
  return runtime === "deno" ? [DENO, ["run", "-A", DROVER_MJS, ...args]] : ["node", [DROVER_MJS, ...args]];
}

/** Runs the `drover` CLI to completion (see {@linkcode RunOptions}). */
export async function runDrover(args: string[], options: RunOptions = {}): Promise<RunResult> {
  await ensureBundle();
  const [cmd, argv] = droverCommand(args, options);
  return await runCommand(cmd, argv, options);
}

/** Starts the `drover` CLI without waiting (for kill tests); stdout/stderr are discarded. */
export async function spawnDrover(args: string[], options: RunOptions = {}): Promise<Deno.ChildProcess> {
  await ensureBundle();
  const [cmd, argv] = droverCommand(args, options);
  return new Deno.Command(cmd, {
    args: argv,
    cwd: options.cwd ?? ROOT,
    env: { NO_COLOR: "1", ...options.env },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory && e.name !== "node_modules" && !e.name.startsWith(".")) {
      newest = Math.max(newest, await newestSource(p));
    } else if (e.isFile && e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) {
      newest = Math.max(newest, (await Deno.stat(p)).mtime?.getTime() ?? 0);
    }
  }
  return newest;
}

let built: Promise<void> | undefined;

/** Builds dist/drover.mjs and dist/drover-repo.mjs unless they are newer than every source (once per process). */
export function ensureBundle(): Promise<void> {
  return built ??= (async () => {
    const sources = Math.max(
      ...(await Promise.all(["core", "device", "scripts"].map((d) => newestSource(join(ROOT, d))))),
      (await Deno.stat(join(ROOT, "deno.json"))).mtime?.getTime() ?? 0,
    );
    const age = async (p: string) => (await Deno.stat(p).catch(() => undefined))?.mtime?.getTime() ?? 0;
    if ((await age(DROVER_MJS)) > sources && (await age(DROVER_REPO_MJS)) > sources) return;
    const out = await new Deno.Command(DENO, {
      args: ["run", "-A", join(ROOT, "scripts/build.ts"), "drover", "repo"],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) throw new Error(`Cannot build bundles: ${new TextDecoder().decode(out.stderr)}`);
  })();
}

/** Runs `scripts/repo.ts args` (from source, under Deno) to its end, whatever its exit code. */
export function runRepo(args: string[]): Promise<RunResult> {
  return runCommand(DENO, ["run", "-A", "--quiet", join(ROOT, "scripts/repo.ts"), ...args], {
    timeoutMs: 120_000,
  });
}

/** Runs `scripts/repo.ts args` and throws with its stderr unless it exits 0. */
export async function repoCli(args: string[]): Promise<string> {
  const r = await runRepo(args);
  if (r.code !== 0) throw new Error(`Cannot run repo ${args.join(" ")}: exit ${r.code}\n${r.stderr}`);
  return r.stdout;
}

/** An app release to publish. */
export interface AppRelease {
  name: string;
  ref: string;
  commit: string;
  file: string;
  version?: string;
}

/** A repository made by `scripts/repo.ts`: `dir` is served, `keys` holds the four role keys. */
export interface Repo {
  dir: string;
  keys: string;
  /** Publishes one more release (new signed targets, snapshot, timestamp). */
  addApp(release: AppRelease): Promise<void>;
}

/** `repo init` in `dir` (keys in `dir + ".keys"`) then `repo add-app` for each release. */
export async function buildRepo(dir: string, releases: AppRelease[], options: { expiresDays?: number } = {}) {
  const keys = `${dir}.keys`;
  const init = ["init", "--repo", dir, "--keys", keys];
  if (options.expiresDays) init.push("--expires-days", String(options.expiresDays));
  await repoCli(init);
  const repo: Repo = {
    dir,
    keys,
    async addApp(r) {
      const args = ["add-app", "--repo", dir, "--keys", keys, "--name", r.name, "--ref", r.ref];
      args.push("--commit", r.commit, "--file", r.file);
      if (r.version) args.push("--version", r.version);
      await repoCli(args);
    },
  };
  for (const r of releases) await repo.addApp(r);
  return repo;
}

/** One line per entry: path → "d MODE", "f MODE SIZE SHA256" or "l TARGET" (mtimes are ignored). */
export type TreeSnapshot = Record<string, string>;

/** Snapshot of everything under `dir` (an absent dir gives `{}`), for before/after comparisons. */
export async function snapshotTree(dir: string): Promise<TreeSnapshot> {
  const out: TreeSnapshot = {};
  async function walk(rel: string): Promise<void> {
    const abs = join(dir, rel);
    const st = await lstat(abs).catch(() => undefined);
    if (!st) return;
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isSymbolicLink()) out[rel || "."] = `l ${await readlink(abs)}`;
    else if (st.isDirectory()) {
      out[rel || "."] = `d ${mode}`;
      for (const name of (await readdir(abs)).sort()) await walk(rel ? `${rel}/${name}` : name);
    } else if (st.isFile()) out[rel] = `f ${mode} ${st.size} ${sha256(await readFile(abs))}`;
    else out[rel] = `other ${st.mode.toString(8)}`;
  }
  await walk("");
  return out;
}

/** Hex SHA-256 of bytes. */
export function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Path → sha256 of every regular file under `dir` (what an archive made from it must install). */
export async function fileDigests(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [path, line] of Object.entries(await snapshotTree(dir))) {
    if (line.startsWith("f ")) out[path] = line.split(" ")[3]!;
  }
  return out;
}

/** Writes `files` (path → content) under `dir`, creating parents. */
export async function writeTree(dir: string, files: Record<string, string | Uint8Array>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

/** `tar -czf out -C dir .` with GNU tar (what release pipelines use). */
export async function tarGz(dir: string, out: string): Promise<void> {
  const r = await runCommand("tar", ["-czf", out, "-C", dir, "."]);
  if (r.code !== 0) throw new Error(`Cannot tar ${dir}: ${r.stderr}`);
}

/** A 40-hex-digit commit id derived from `seed`. */
export function commitId(seed: string): string {
  return sha256(seed).slice(0, 40);
}

/** Replaces the response for a path; `undefined` serves the file as usual. */
export type Intercept = (
  path: string,
  request: Request,
) => Response | undefined | Promise<Response | undefined>;

/** A static server on 127.0.0.1 (port 0); `await using` shuts it down. */
export interface TestServer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string;
  /** Every request, in order (method, path, range, status). */
  readonly requests: LoggedRequest[];
  /** Set or clear at any time to alter what is served. */
  intercept?: Intercept;
  close(): Promise<void>;
}

/**
 * Serves `root` with the e2e suite's static server (Range requests, 404s, request log) and lets a test
 * replace any response at any time through `intercept`.
 */
export function serveDir(root: string, intercept?: Intercept): TestServer {
  const state: { intercept?: Intercept } = { intercept };
  const server = serveStatic(root, { intercept: (request, path) => state.intercept?.(path, request) });
  return {
    url: server.url.href.replace(/\/$/, ""),
    requests: server.requests,
    get intercept() {
      return state.intercept;
    },
    set intercept(value) {
      state.intercept = value;
    },
    close: () => server.close(),
    [Symbol.asyncDispose]: () => server.close(),
  };
}

/** A body that yields `bytes` in `chunkSize` pieces, `delayMs` apart (for kills mid-download). */
export function slowBody(bytes: Uint8Array, options: { chunkSize?: number; delayMs?: number } = {}) {
  const size = options.chunkSize ?? 16_384;
  let offset = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      return new Promise<void>((done) => {
        timer = setTimeout(() => {
          timer = undefined;
          controller.enqueue(bytes.slice(offset, offset + size));
          offset += size;
          done();
        }, options.delayMs ?? 20);
      });
    },
    cancel() {
      clearTimeout(timer);
    },
  });
}

/** A body that never ends (`prefix`, then zeros for ever), produced only as fast as it is read. */
export function endlessBody(prefix: Uint8Array = new Uint8Array()): ReadableStream<Uint8Array> {
  let first = true;
  const zeros = new Uint8Array(65_536);
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(first && prefix.length ? prefix : zeros);
      first = false;
    },
  });
}

/** A device: a target with one app already installed by hand (a seed release) and a workspace. */
export interface Device {
  target: string;
  workspace: string;
  /** `<target>/<slug>` */
  appDir: string;
  /** The root of trust provisioned on the device. */
  trustedRoot: string;
  /** `[command, --target, --workspace, --trusted-root (not for install), (--api)]` plus `extra`. */
  args(command: string, api?: string, ...extra: string[]): string[];
}

/** The commit of the hand-made seed release of {@linkcode makeDevice}. */
export const SEED_COMMIT: string = commitId("seed");

/**
 * `<dir>/target/<slug>/releases/0-seed` (`.deploy` with {@linkcode SEED_COMMIT}) with `current` pointing at
 * it, an empty `<dir>/workspace`, and `trustedRoot` (a copy of the repository's first root).
 */
export async function makeDevice(dir: string, repo: Repo, app: { name: string; ref: string; slug: string }) {
  const appDir = join(dir, "target", app.slug);
  await writeTree(join(appDir, "releases/0-seed"), {
    ".deploy": JSON.stringify({ name: app.name, ref: app.ref, commit: SEED_COMMIT }),
  });
  await Deno.symlink("releases/0-seed", join(appDir, "current"));
  await mkdir(join(dir, "workspace"), { recursive: true });
  const trustedRoot = join(dir, "root.json");
  await writeFile(trustedRoot, await readFile(join(repo.dir, "tuf/1.root.json")));
  const device: Device = {
    target: join(dir, "target"),
    workspace: join(dir, "workspace"),
    appDir,
    trustedRoot,
    args: (command, api, ...extra) => [
      command,
      "--target",
      device.target,
      "--workspace",
      device.workspace,
      ...(command === "install" ? [] : ["--trusted-root", trustedRoot]),
      ...(api ? ["--api", api] : []),
      ...extra,
    ],
  };
  return device;
}

/** A signed role as JSON (what {@linkcode resign} hands to the mutators). */
// deno-lint-ignore no-explicit-any
export type Signed = Record<string, any>;

/** Options of {@linkcode resign}. */
export interface ResignOptions {
  /** Roles to publish anew, in this order (default targets, snapshot, timestamp). */
  roles?: ("targets" | "snapshot" | "timestamp")[];
  /** Edit each role's signed part after its version is bumped and its references are updated. */
  targets?: (signed: Signed) => void;
  snapshot?: (signed: Signed) => void;
  timestamp?: (signed: Signed) => void;
  /** Sign with these keys instead of the repository's key for that role. */
  keys?: Partial<Record<"targets" | "snapshot" | "timestamp", KeyPair[]>>;
}

/** The repository's key of `role` (from `<repo>.keys/<role>.json`). */
export async function repoKey(repo: Repo, role: string): Promise<KeyPair> {
  return parseKeyFile(await readFile(join(repo.keys, `${role}.json`), "utf8"));
}

/**
 * Publishes hand-made metadata in `repo` as `scripts/repo.ts` would (targets v+1, snapshot v+1 that points
 * at it, timestamp v+1 that points at that), after `options` mutated it: for attacks that need
 * bad-but-signed metadata.
 */
export async function resign(repo: Repo, options: ResignOptions = {}): Promise<void> {
  const tuf = join(repo.dir, "tuf");
  const read = async (name: string) => JSON.parse(await readFile(join(tuf, name), "utf8"));
  const timestamp = await read("timestamp.json");
  let snapshotVersion: number = timestamp.signed.meta["snapshot.json"].version;
  const snapshot = await read(`${snapshotVersion}.snapshot.json`);
  let targetsVersion: number = snapshot.signed.meta["targets.json"].version;
  const ref = (version: number, bytes: Uint8Array) => ({
    version,
    length: bytes.length,
    hashes: { sha256: sha256(bytes) },
  });
  const roles = options.roles ?? ["targets", "snapshot", "timestamp"];
  let targetsBytes: Uint8Array | undefined;
  let snapshotBytes: Uint8Array | undefined;
  if (roles.includes("targets")) {
    const signed: Signed = (await read(`${targetsVersion}.targets.json`)).signed;
    signed.version = ++targetsVersion;
    options.targets?.(signed);
    const keys = options.keys?.targets ?? [await repoKey(repo, "targets")];
    targetsBytes = encodeMetadata(await signEnvelope(signed, keys));
    await writeFile(join(tuf, `${targetsVersion}.targets.json`), targetsBytes);
  }
  if (roles.includes("snapshot")) {
    const signed: Signed = snapshot.signed;
    signed.version = ++snapshotVersion;
    if (targetsBytes) signed.meta["targets.json"] = ref(targetsVersion, targetsBytes);
    options.snapshot?.(signed);
    const keys = options.keys?.snapshot ?? [await repoKey(repo, "snapshot")];
    snapshotBytes = encodeMetadata(await signEnvelope(signed, keys));
    await writeFile(join(tuf, `${snapshotVersion}.snapshot.json`), snapshotBytes);
  }
  if (roles.includes("timestamp")) {
    const signed: Signed = timestamp.signed;
    signed.version += 1;
    if (snapshotBytes) signed.meta["snapshot.json"] = ref(snapshotVersion, snapshotBytes);
    options.timestamp?.(signed);
    const keys = options.keys?.timestamp ?? [await repoKey(repo, "timestamp")];
    await writeFile(join(tuf, "timestamp.json"), encodeMetadata(await signEnvelope(signed, keys)));
  }
}

/** Entries whose snapshot line differs between two snapshots (added, removed or changed). */
export function changedPaths(before: TreeSnapshot, after: TreeSnapshot): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => before[k] !== after[k]).sort();
}

/** The app the attack and crash scenarios install. */
export const SCENARIO_APP = { name: "acme/radio", ref: "main", slug: "radio" } as const;

/**
 * A served repository with release one of {@linkcode SCENARIO_APP} and a device that installed it with
 * `drover update`; `reset()` puts repository and device back as they were after that install.
 */
export interface Scenario {
  tmp: TempDir;
  repo: Repo;
  server: TestServer;
  device: Device;
  /** commit → archive path: `one` (installed) and `two` (not yet published). */
  commits: { one: string; two: string };
  archives: { one: string; two: string };
  reset(): Promise<void>;
  /** Target, trusted metadata and the rest of the workspace (without status.json). */
  snapshot(): Promise<{ target: TreeSnapshot; tuf: TreeSnapshot; workspace: TreeSnapshot }>;
  close(): Promise<void>;
}

/** Builds a {@linkcode Scenario} (a few seconds); close it when done. */
export async function installedScenario(): Promise<Scenario> {
  const tmp = await tempDir("drover-attack-");
  const commits = { one: commitId("attack one"), two: commitId("attack two") };
  const archives = { one: tmp.join("one.tar.gz"), two: tmp.join("two.tar.gz") };
  for (const v of ["one", "two"] as const) {
    await writeTree(tmp.join(v), {
      "bin/start": `#!/bin/sh\necho ${v}\n`,
      "lib/app.js": `export const v = "${v}";\n`,
      "assets/noise.bin": randomFillSync(new Uint8Array(256 << 10)), // several chunks on the wire
    });
    await tarGz(tmp.join(v), archives[v]);
  }
  const repo = await buildRepo(tmp.join("repo"), [{
    ...SCENARIO_APP,
    commit: commits.one,
    file: archives.one,
  }]);
  const server = serveDir(repo.dir);
  const close = async () => {
    await server.close();
    await tmp[Symbol.asyncDispose]();
  };
  try {
    const device = await makeDevice(tmp.join("device"), repo, SCENARIO_APP);
    const r = await runDrover(device.args("update", server.url));
    if (r.code !== 0) {
      throw new Error(`Cannot set up the scenario: drover update exited ${r.code}\n${r.stderr}`);
    }
    for (const d of ["repo", "repo.keys", "device"]) await copyTree(tmp.join(d), tmp.join(`pristine-${d}`));
    const snapshotWorkspace = async () => {
      const all = await snapshotTree(device.workspace);
      delete all["status.json"];
      return all;
    };
    return {
      tmp,
      repo,
      server,
      device,
      commits,
      archives,
      reset: async () => {
        server.intercept = undefined;
        for (const d of ["repo", "repo.keys", "device"]) {
          await copyTree(tmp.join(`pristine-${d}`), tmp.join(d));
        }
      },
      snapshot: async () => ({
        target: await snapshotTree(device.target),
        tuf: await snapshotTree(join(device.workspace, "tuf")),
        workspace: await snapshotWorkspace(),
      }),
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Replaces `to` by a copy of `from` (`cp -a`: modes, links and times kept). */
export async function copyTree(from: string, to: string): Promise<void> {
  await rm(to, { recursive: true, force: true });
  const r = await runCommand("cp", ["-a", from, to]);
  if (r.code !== 0) throw new Error(`Cannot copy ${from}: ${r.stderr}`);
}
