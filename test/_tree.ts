/**
 * Private to test/ (re-exported by `harness.ts`): files and trees on disk. Temp dirs, trees written
 * from a map or made into a `.tar.gz`, copies, digests, commit ids, and snapshots for "nothing changed
 * on disk".
 * @module
 */
import { createHash } from "node:crypto";
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { runCommand } from "./_runner.ts";

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

/** Entries whose snapshot line differs between two snapshots (added, removed or changed). */
export function changedPaths(before: TreeSnapshot, after: TreeSnapshot): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => before[k] !== after[k]).sort();
}

/** Replaces `to` by a copy of `from` (`cp -a`: modes, links and times kept). */
export async function copyTree(from: string, to: string): Promise<void> {
  await rm(to, { recursive: true, force: true });
  const r = await runCommand("cp", ["-a", from, to]);
  if (r.code !== 0) throw new Error(`Cannot copy ${from}: ${r.stderr}`);
}
