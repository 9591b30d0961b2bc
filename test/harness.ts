/**
 * Shared helpers of the device test suites (e2e, crash, attacks): temp dirs, the repository CLI
 * (`scripts/repo.ts`), the bundles (built when older than the sources), the bundled `drover` CLI as
 * a child process with a timeout (the one runner of every suite: under Node unless `runtime` or env
 * `DROVER_TEST_RUNTIME` says Deno; `test/e2e/device_fixture.ts` runs it under Deno), a Range-capable
 * static server whose responses a test can replace, and tree snapshots for "nothing changed on disk".
 * Those live in private files beside this one and are re-exported here: `_runner.ts` (child processes,
 * bundles, the repository CLI), `_repo.ts` (repositories, re-signed metadata), `_serve.ts` (the server,
 * slow bodies) and `_tree.ts` (temp dirs, trees, digests). Here: the hand-made device of
 * {@linkcode makeDevice} and the installed scenario of the attack and crash suites.
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
import { randomFillSync } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runDrover } from "./_runner.ts";
import { buildRepo, type Repo } from "./_repo.ts";
import { serveDir, type TestServer } from "./_serve.ts";
import {
  commitId,
  copyTree,
  snapshotTree,
  tarGz,
  type TempDir,
  tempDir,
  type TreeSnapshot,
  writeTree,
} from "./_tree.ts";

export {
  DROVER_MJS,
  DROVER_REPO_MJS,
  droverCommand,
  ensureBundle,
  repoCli,
  ROOT,
  runCommand,
  runDrover,
  runRepo,
  spawnDrover,
} from "./_runner.ts";
export type { RunOptions, RunResult } from "./_runner.ts";
export { buildRepo, repoKey, resign } from "./_repo.ts";
export type { AppRelease, Repo, ResignOptions, Signed } from "./_repo.ts";
export { endlessBody, serveDir, slowBody } from "./_serve.ts";
export type { Intercept, TestServer } from "./_serve.ts";
export {
  changedPaths,
  commitId,
  copyTree,
  fileDigests,
  sha256,
  snapshotTree,
  tarGz,
  tempDir,
  writeTree,
} from "./_tree.ts";
export type { TempDir, TreeSnapshot } from "./_tree.ts";

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
