/**
 * The fleet scenarios' repository side: the bundles they run, `drover-repo` under Node, a repository
 * holding release 1 of the app (release 2 signed on demand), and waiting for the edge to serve a release.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DROVER_REPO_MJS, ensureBundle, ROOT, runCommand } from "../harness.ts";
import { makeArchive } from "./device_fixture.ts";
import { FsStorage } from "../../edge/storage/fs_storage.ts";
import { startWorkerEdge, type WorkerEdge } from "../edge/worker_harness.ts";
import {
  APP,
  CHECK_1,
  CHECK_2,
  COMMIT_1,
  COMMIT_2,
  ENROLL_TOKEN,
  OPERATOR_TOKEN,
} from "./_fleet_constants.ts";

/** Builds dist/drover.mjs, dist/drover-repo.mjs (if stale) and dist/drover-fleet.mjs. */
export async function ensureBundles(): Promise<void> {
  await ensureBundle();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(ROOT, "scripts/build.ts"), "fleet"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`Cannot build drover-fleet: ${new TextDecoder().decode(out.stderr)}`);
}

/** `drover-repo` (the bundle, under Node); resolves with its `--json` document. */
export async function repo(args: string[]) {
  const r = await runCommand("node", [DROVER_REPO_MJS, ...args, "--json"]);
  if (r.code !== 0) throw new Error(`repo ${args[0]} failed (${r.code}): ${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** A repository (`drover-repo init`) holding release 1; `addRelease2()` signs release 2 into it. */
export async function makeRepository(dir: string) {
  const repoDir = join(dir, "repo"), keys = join(dir, "keys");
  await repo(["init", "--repo", repoDir, "--keys", keys]);
  const archive1 = await makeArchive(join(dir, "radio-1.tar.gz"), { "bin/check": CHECK_1, VERSION: "1\n" });
  const archive2 = await makeArchive(join(dir, "radio-2.tar.gz"), { "bin/check": CHECK_2, VERSION: "2\n" });
  const add = (commit: string, file: string) =>
    repo([
      "add-app",
      "--repo",
      repoDir,
      "--keys",
      keys,
      "--name",
      APP.name,
      "--ref",
      APP.ref,
      "--commit",
      commit,
      "--file",
      file,
      // the full archive only: the Worker variant publishes release 2 through the edge, target by target
      "--no-chunks",
    ]);
  await add(COMMIT_1, archive1);
  return {
    dir: repoDir,
    keys,
    trustedRoot: join(repoDir, "tuf/1.root.json"),
    archive2,
    /** Signs release 2 into the repository; resolves with `add-app`'s document. */
    addRelease2: () => add(COMMIT_2, archive2),
  };
}

/**
 * Polls the edge's signed metadata (timestamp, snapshot, targets) until it lists `commit` of
 * `acme/radio` main: the edge re-reads metadata on its own schedule. (`/releases`, the legacy view,
 * holds a release back while its rollout is below 100%.)
 */
export async function waitForRelease(api: string, commit: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // deno-lint-ignore no-explicit-any
  const json = async (path: string): Promise<any> => {
    const res = await fetch(`${api}${path}`);
    return res.ok ? await res.json() : (await res.body?.cancel(), undefined);
  };
  for (;;) {
    const snapshot = (await json("/tuf/timestamp.json"))?.signed.meta["snapshot.json"]?.version;
    const targets = snapshot &&
      (await json(`/tuf/${snapshot}.snapshot.json`))?.signed.meta["targets.json"]?.version;
    const listed = targets && (await json(`/tuf/${targets}.targets.json`))?.signed.targets;
    const entries = Object.values(listed ?? {}) as { custom?: Record<string, unknown> }[];
    if (
      entries.some((t) =>
        t.custom?.name === APP.name && t.custom?.ref === APP.ref && t.custom?.commit === commit
      )
    ) {
      return;
    }
    assert.ok(Date.now() < deadline, `the edge never served ${commit}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The Worker bundle in workerd over `repository` (its files in R2) with the fleet in D1, publishing with
 * `publishToken` and signing snapshot and timestamp with the repository's online keys.
 */
export async function startFleetWorker(
  dir: string,
  options: { repository: { dir: string; keys: string }; publishToken: string },
): Promise<WorkerEdge> {
  const { repository, publishToken } = options;
  return await startWorkerEdge(dir, {
    repository: new FsStorage(repository.dir),
    d1Databases: ["FLEET"],
    bindings: {
      DROVER_TOKEN: publishToken,
      DROVER_OPERATOR_TOKEN: OPERATOR_TOKEN,
      DROVER_ENROLL_TOKEN: ENROLL_TOKEN,
      DROVER_SNAPSHOT_KEY: await Deno.readTextFile(join(repository.keys, "snapshot.json")),
      DROVER_TIMESTAMP_KEY: await Deno.readTextFile(join(repository.keys, "timestamp.json")),
    },
  });
}
