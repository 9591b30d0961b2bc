/**
 * Private: what `repo push` publishes from a repository directory: its first and current root, and
 * the targets metadata its timestamp names (timestamp → snapshot → targets, by consistent-snapshot
 * names, so a concurrent `add-app` cannot mix two versions) with the targets it lists.
 */
import { decodeMetadata, type TargetInfo, targetInfoFromTuf } from "../../core/trust/mod.ts";
import type { FsRepoStore } from "./fs_repo_store.ts";

/** The repository as `repo push` sends it. */
export interface LocalState {
  /** `tuf/1.root.json`: the trust anchor devices are given (and the edge must serve). */
  firstRoot: Uint8Array;
  rootVersion: number;
  targets: { version: number; bytes: Uint8Array; list: TargetInfo[] };
}

async function required(store: FsRepoStore, path: string): Promise<Uint8Array> {
  const bytes = await store.get(path);
  if (!bytes) throw new Error(`Cannot push ${store.root}: ${path} is missing (not a repository?)`);
  return bytes;
}

function metaVersion(signed: unknown, name: string, where: string): number {
  const version = (signed as { meta?: Record<string, { version?: unknown }> })?.meta?.[name]?.version;
  if (!Number.isSafeInteger(version) || (version as number) < 1) {
    throw new Error(`Cannot push: ${where} names no valid ${name} version`);
  }
  return version as number;
}

/** Reads the current state of the repository in `store`. */
export async function readLocalState(store: FsRepoStore): Promise<LocalState> {
  const firstRoot = await required(store, "tuf/1.root.json");
  const root = decodeMetadata(await required(store, "tuf/root.json")).signed as { version?: number };
  const timestamp = decodeMetadata(await required(store, "tuf/timestamp.json")).signed;
  const snapshotVersion = metaVersion(timestamp, "snapshot.json", "tuf/timestamp.json");
  const snapshotPath = `tuf/${snapshotVersion}.snapshot.json`;
  const snapshot = decodeMetadata(await required(store, snapshotPath)).signed as { meta?: object };
  const delegated = Object.keys(snapshot.meta ?? {}).filter((name) => name !== "targets.json");
  if (delegated.length > 0) {
    throw new Error(
      `Cannot push: the repository has delegated targets metadata (${delegated.slice(0, 3).join(", ")}); ` +
        "the edge's publish API takes top-level targets metadata only",
    );
  }
  const version = metaVersion(snapshot, "targets.json", snapshotPath);
  const bytes = await required(store, `tuf/${version}.targets.json`);
  const signed = decodeMetadata(bytes).signed as { targets?: Record<string, Record<string, unknown>> };
  const list = Object.entries(signed.targets ?? {}).map(([path, entry]) => targetInfoFromTuf(path, entry))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { firstRoot, rootVersion: Number(root.version) || 0, targets: { version, bytes, list } };
}
