/**
 * Private: what `repo push` publishes from a repository directory: its first and current root, and
 * the metadata its timestamp names (timestamp → snapshot → targets and each delegated role, by
 * consistent-snapshot names, so a concurrent `add-app` cannot mix two versions) with the targets they
 * list and the targets devices resolve from them.
 */
import {
  decodeMetadata,
  type GraphRole,
  parseDelegations,
  resolveTargets,
  type TargetInfo,
  targetInfoFromTuf,
} from "../../core/trust/mod.ts";
import type { FsRepoStore } from "./fs_repo_store.ts";

/** One metadata document: top-level targets or a delegated role. */
export interface LocalDocument {
  version: number;
  bytes: Uint8Array;
  /** The targets it lists, by path. */
  list: TargetInfo[];
}

/** The repository as `repo push` sends it. */
export interface LocalState {
  /** `tuf/1.root.json`: the trust anchor devices are given (and the edge must serve). */
  firstRoot: Uint8Array;
  rootVersion: number;
  targets: LocalDocument;
  /** Each delegated role snapshot lists, by name (sorted). */
  roles: Map<string, LocalDocument>;
  /** What devices resolve (the TUF search over targets and the roles), by path. */
  resolved: Map<string, TargetInfo>;
  /** Every target any document lists, once per URL, sorted by path: what the edge must hold. */
  files: TargetInfo[];
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

const byPath = (a: TargetInfo, b: TargetInfo) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** Root version `version` of the repository in `store` (`tuf/<version>.root.json`). */
export function localRoot(store: FsRepoStore, version: number): Promise<Uint8Array> {
  return required(store, `tuf/${version}.root.json`);
}

/** Reads the current state of the repository in `store`. */
export async function readLocalState(store: FsRepoStore): Promise<LocalState> {
  const firstRoot = await required(store, "tuf/1.root.json");
  const root = decodeMetadata(await required(store, "tuf/root.json")).signed as { version?: number };
  const timestamp = decodeMetadata(await required(store, "tuf/timestamp.json")).signed;
  const snapshotVersion = metaVersion(timestamp, "snapshot.json", "tuf/timestamp.json");
  const snapshotPath = `tuf/${snapshotVersion}.snapshot.json`;
  const snapshot = decodeMetadata(await required(store, snapshotPath)).signed as { meta?: object };
  const graph = new Map<string, GraphRole>();
  const read = async (name: string): Promise<LocalDocument> => {
    const version = metaVersion(snapshot, `${name}.json`, snapshotPath);
    const bytes = await required(store, `tuf/${version}.${name}.json`);
    const signed = decodeMetadata(bytes).signed as {
      targets?: Record<string, Record<string, unknown>>;
      delegations?: unknown;
    };
    const targets = signed.targets ?? {};
    graph.set(name, { targets, delegations: parseDelegations(signed, `tuf/${version}.${name}.json`) });
    const list = Object.entries(targets).map(([path, entry]) => targetInfoFromTuf(path, entry)).sort(byPath);
    return { version, bytes, list };
  };
  const targets = await read("targets");
  const roles = new Map<string, LocalDocument>();
  const names = Object.keys(snapshot.meta ?? {}).filter((f) => f !== "targets.json").map((f) =>
    f.replace(/\.json$/, "")
  );
  for (const name of names.sort()) roles.set(name, await read(name));
  const resolved = new Map<string, TargetInfo>();
  for (const [path, found] of resolveTargets(graph)) resolved.set(path, targetInfoFromTuf(path, found.entry));
  const files = new Map<string, TargetInfo>();
  for (const doc of [targets, ...roles.values()]) {
    for (const target of doc.list) if (!files.has(target.url)) files.set(target.url, target);
  }
  return {
    firstRoot,
    rootVersion: Number(root.version) || 0,
    targets,
    roles,
    resolved,
    files: [...files.values()].sort(byPath),
  };
}
