/**
 * Private to the `repo push` end-to-end tests: a repository built with `repo`, the edge's data
 * directory made from it, a push, and a refresh from the edge as a device.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { MemoryStore, refreshTrust, type TrustedRepository } from "../../core/trust/mod.ts";
import { runRepo } from "../../scripts/repo/main.ts";
import { copyTree } from "../harness.ts";
import { FsStorage } from "../../edge/storage/fs_storage.ts";
import { startWorkerEdge, type WorkerEdge } from "../edge/worker_harness.ts";
import { packTar } from "modern-tar";

/** The publish token of the tests' edges. */
export const TOKEN = "push-token-0123456789";
/** `scripts/repo.ts`, for a push run as a child process. */
export const REPO_TS = new URL("../../scripts/repo.ts", import.meta.url).pathname;

/** Runs `repo ARGV…` in process with DROVER_TOKEN set; its exit code and output. */
export async function repo(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "", stderr = "";
  const code = await runRepo(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: { DROVER_TOKEN: TOKEN },
  });
  return { code, stdout, stderr };
}

/**
 * A repository with keys; `add` publishes a tar holding one file of `size` bytes as `name` on main
 * (into delegated role `role` when given, signed with its key in the same keys directory) and
 * resolves to the archive's size in bytes.
 */
export async function makeRepo(tmp: string) {
  const dir = join(tmp, "repo"), keys = join(tmp, "keys");
  assert.equal((await repo("init", "--repo", dir, "--keys", keys)).code, 0);
  let n = 0;
  const add = async (name: string, size: number, options: { role?: string } = {}) => {
    const file = join(tmp, `archive-${n}`);
    const body = new Uint8Array(size).map((_, i) => (i * 131 + n) & 0xff);
    const tar = await packTar([{ header: { name: "data.bin", size, type: "file" }, body }]);
    await Deno.writeFile(file, tar);
    const commit = `${n++}`.padStart(7, "a");
    const r = await repo(
      "add-app",
      ...["--repo", dir, "--keys", keys, "--file", file, "--no-chunks"],
      ...["--name", name, "--ref", "main", "--commit", commit],
      ...(options.role ? ["--role", options.role] : []),
    );
    assert.equal(r.code, 0, r.stderr);
    return tar.byteLength;
  };
  return { dir, keys, add };
}

/** The edge's data directory: the repository's files now, and the online keys the root names. */
export async function edgeData(tmp: string, r: { dir: string; keys: string }): Promise<string> {
  const data = join(tmp, "data");
  await copyTree(r.dir, data);
  await Deno.mkdir(join(data, "keys"));
  for (const role of ["snapshot", "timestamp"]) {
    await Deno.copyFile(join(r.keys, `${role}.json`), join(data, "keys", `${role}.json`));
  }
  return data;
}

/** `repo push --json` of `dir` to `edge`, which must succeed; its JSON document. */
export async function push(dir: string, edge: string) {
  const r = await repo("push", "--repo", dir, "--edge", edge, "--json");
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return JSON.parse(r.stdout);
}

/** The paths of a push's `uploaded` or `skipped`, sorted. */
export const paths = (list: { path: string }[]): string[] => list.map((t) => t.path).sort();

/**
 * Refreshes from `edge` as a device given `dir`'s tuf/1.root.json (keeping what it trusts in
 * `device`, a fresh store by default), asserts the names of the `apps` it is offered, and returns it.
 */
export async function checkAsDevice(
  edge: string,
  options: { dir: string; apps: string[]; device?: MemoryStore },
): Promise<TrustedRepository> {
  const trusted = await refreshTrust({
    fetch: async (path) => {
      const res = await fetch(`${edge}/${path}`);
      return res.ok ? new Uint8Array(await res.arrayBuffer()) : (await res.body?.cancel(), undefined);
    },
    store: options.device ?? new MemoryStore(),
    trustedRoot: await Deno.readFile(join(options.dir, "tuf/1.root.json")),
  });
  assert.deepEqual(trusted.apps().map((t) => (t.custom as { name: string }).name).sort(), options.apps);
  return trusted;
}

/** The Worker bundle in workerd serving `r` (its files in R2), publishing with {@linkcode TOKEN}. */
export async function startPushWorker(tmp: string, r: { dir: string; keys: string }): Promise<WorkerEdge> {
  const keys = (role: string) => Deno.readTextFile(join(r.keys, `${role}.json`));
  return await startWorkerEdge(tmp, {
    repository: new FsStorage(await edgeData(tmp, r)),
    bindings: {
      DROVER_TOKEN: TOKEN,
      DROVER_SNAPSHOT_KEY: await keys("snapshot"),
      DROVER_TIMESTAMP_KEY: await keys("timestamp"),
    },
  });
}
