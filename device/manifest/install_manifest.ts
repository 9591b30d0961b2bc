/**
 * Installs what an install builder resolved: every artifact of the chain is fetched on the primary node
 * (skipping what is installed), verified in full (size and SHA-256, while streaming) and committed by
 * rename into `<installDir>/artifacts/<id>`; artifacts of the other nodes are staged under
 * `<installDir>/nodes/<node>/<id>` (hard links, copies across file systems); the chain's manifests go to
 * `<installDir>/manifests/<id>.json` and, last, `<installDir>/installed.json` records the result.
 *
 * Layout of an install dir (also the bundle layout `InstalledSource` reads):
 * ```
 * <installDir>/artifacts/<id>         every artifact of the chain (verified)
 * <installDir>/nodes/<node>/<id>      staged for the other nodes of a multi-node device
 * <installDir>/manifests/<id>.json    the signed manifests of the chain
 * <installDir>/installed.json         { version: 1, manifest, manifestVersion, chain, artifacts, nodes, at }
 * <installDir>/.tmp/, .lock           in-flight files (orphans removed on the next install), the lock
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { InstallBuilder, MemorySource } from "../../core/manifest/mod.ts";
 * import { installManifest } from "./install_manifest.ts";
 * const b = new InstallBuilder({ verify: async () => {} }).setManifestId("m").addSource(new MemorySource());
 * await b.build();
 * await installManifest(b, { installDir: "/nonexistent" }).catch((e) => assert.equal(e.code, "E_INTEGRITY"));
 * ```
 * @module
 */
import { copyFile, link, mkdir, open, readdir, rename, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { IntegrityError } from "../../core/errors.ts";
import type { InstallBuilder } from "../../core/manifest/install_builder.ts";
import { MAX_MANIFEST_BYTES } from "../../core/manifest/manifest.ts";
import type { ArtifactSource, SourceItem } from "../../core/manifest/source.ts";
import { VerifyStream } from "../../core/verify/mod.ts";
import { fsyncDir, writeFileAtomic } from "../fs/atomic_file.ts";
import { acquireLock } from "../fs/lock.ts";
import { handleSink } from "../fs/file_streams.ts";

/** Options of {@linkcode installManifest}. */
export interface InstallManifestOptions {
  installDir: string;
  /** This device's node (its artifacts are not staged); default "primary". */
  node?: string;
  /** Other sources to try when the chosen copy fails its full SHA-256 check. */
  sources?: ArtifactSource[];
  /** Seconds to wait for the install lock (default 0: busy -> TransientError). */
  waitSeconds?: number;
  signal?: AbortSignal;
  onProgress?: (id: string, bytes: number, total: number) => void;
}

/** What {@linkcode installManifest} did. */
export interface InstallManifestResult {
  manifest: string;
  manifestVersion: string;
  installDir: string;
  /** Artifacts fetched and verified by this run. */
  fetched: string[];
  /** Artifacts that were already installed. */
  skipped: string[];
  /** Artifacts staged per other node. */
  staged: Record<string, string[]>;
}

async function exists(path: string, size: number): Promise<boolean> {
  const st = await stat(path).catch(() => undefined);
  return !!st?.isFile() && st.size === size;
}

async function copyVerified(
  item: SourceItem,
  dest: string,
  tmpDir: string,
  expected: { sha256: string; size: number },
  options: InstallManifestOptions,
): Promise<void> {
  const tmp = join(tmpDir, `${item.id}.${randomBytes(4).toString("hex")}`);
  const verify = new VerifyStream({ length: expected.size, sha256: expected.sha256 }, {
    name: `${item.id} from ${item.source}`,
    onProgress: (bytes) => options.onProgress?.(item.id, bytes, expected.size),
  });
  verify.done.catch(() => {});
  const handle = await open(tmp, "wx", 0o644);
  try {
    try {
      const body = await item.open({ signal: options.signal });
      await body.pipeThrough(verify).pipeTo(handleSink(handle), { signal: options.signal });
      await verify.done;
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, dest);
  } catch (error) {
    await unlink(tmp).catch(() => {});
    throw error;
  }
}

async function stage(from: string, to: string): Promise<void> {
  const tmp = `${to}.tmp-${randomBytes(4).toString("hex")}`;
  try {
    await link(from, tmp);
  } catch {
    await copyFile(from, tmp); // another file system, or no hard links
  }
  await rename(tmp, to);
}

async function readAllItem(item: SourceItem): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let n = 0;
  for await (const c of await item.open()) {
    n += c.byteLength;
    if (n > MAX_MANIFEST_BYTES) throw new IntegrityError(`Cannot install manifest ${item.id}: too large`);
    chunks.push(c);
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) (out.set(c, at), at += c.byteLength);
  return out;
}

/**
 * Fetches, verifies and installs what `builder` resolved. `IntegrityError` when the build is not complete
 * or no copy of an artifact passes its full SHA-256 check; `TransientError` when the lock is held.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { installManifest } from "./install_manifest.ts";
 * assert.equal(typeof installManifest, "function");
 * ```
 */
export async function installManifest(
  builder: InstallBuilder,
  options: InstallManifestOptions,
): Promise<InstallManifestResult> {
  if (!builder.isComplete()) {
    const first = builder.getFirstMissing() ?? [...builder.getInvalid().keys()][0] ?? "(chain)";
    throw new IntegrityError(`Cannot install: the manifest chain is not complete (first problem: ${first})`);
  }
  const dir = options.installDir;
  const primary = options.node ?? "primary";
  const chain = builder.getManifestChain();
  const top = chain[0]!;
  for (const sub of ["artifacts", "manifests", ".tmp"]) await mkdir(join(dir, sub), { recursive: true });
  await using _lock = await acquireLock(join(dir, ".lock"), {
    waitSeconds: options.waitSeconds,
    signal: options.signal,
  });
  const tmpDir = join(dir, ".tmp");
  for (const orphan of await readdir(tmpDir)) await unlink(join(tmpDir, orphan)).catch(() => {});

  const result: InstallManifestResult = {
    manifest: top.id,
    manifestVersion: top.version,
    installDir: dir,
    fetched: [],
    skipped: [],
    staged: {},
  };
  const manifestIds = new Set(chain.map((m) => m.id));
  const artifactIds = builder.getRequiredArtifacts().filter((id) => !manifestIds.has(id));
  for (const id of artifactIds) {
    options.signal?.throwIfAborted();
    const want = builder.getManifestArtifact(id)!;
    const dest = join(dir, "artifacts", id);
    const item = builder.getArtifact(id)!;
    if (item.installed && await exists(dest, want.size)) {
      result.skipped.push(id);
      continue;
    }
    const candidates: SourceItem[] = [item];
    let lastError: unknown;
    let done = false;
    for (let i = 0; !done; i++) {
      const copy = candidates[i] ?? await nextCopy(options.sources ?? [], id, want.size, candidates);
      if (!copy) break;
      if (i >= candidates.length) candidates.push(copy);
      try {
        await copyVerified(copy, dest, tmpDir, want, options);
        done = true;
      } catch (error) {
        if (!(error instanceof IntegrityError)) throw error;
        lastError = error;
      }
    }
    if (!done) throw lastError ?? new IntegrityError(`Cannot install ${id}: no copy verified`);
    result.fetched.push(id);
  }
  await fsyncDir(join(dir, "artifacts"));

  for (const id of artifactIds) {
    for (const node of builder.getManifestArtifact(id)!.nodes) {
      if (node === primary) continue;
      const nodeDir = join(dir, "nodes", node);
      await mkdir(nodeDir, { recursive: true });
      await stage(join(dir, "artifacts", id), join(nodeDir, id));
      (result.staged[node] ??= []).push(id);
    }
  }
  for (const node of Object.keys(result.staged)) await fsyncDir(join(dir, "nodes", node));

  for (const m of chain) {
    await writeFileAtomic(
      join(dir, "manifests", `${m.id}.json`),
      await readAllItem(builder.getArtifact(m.id)!),
    );
  }
  const nodes: Record<string, string[]> = {};
  for (const id of artifactIds) {
    for (const n of builder.getManifestArtifact(id)!.nodes) (nodes[n] ??= []).push(id);
  }
  await writeFileAtomic(
    join(dir, "installed.json"),
    JSON.stringify(
      {
        version: 1,
        manifest: top.id,
        manifestVersion: top.version,
        chain: chain.map((m) => m.id),
        artifacts: artifactIds,
        nodes,
        at: new Date().toISOString(),
      },
      null,
      2,
    ) + "\n",
  );
  return result;
}

async function nextCopy(
  sources: ArtifactSource[],
  id: string,
  size: number,
  tried: SourceItem[],
): Promise<SourceItem | undefined> {
  for (const s of sources) {
    if (tried.some((t) => t.source === s.name)) continue;
    const c = await s.get(id, "artifact").catch(() => undefined);
    if (c && c.size === size && !c.installed) return c;
  }
  return undefined;
}
