/**
 * Private: the metadata an edge serves, as `repo push` compares it with the repository: its first
 * root (the same repository?), its current root, and the targets and delegated roles its timestamp
 * names (timestamp → snapshot → `<N>.<name>.json`), with the bytes of each.
 */
import { decodeMetadata } from "../../core/trust/mod.ts";
import type { EdgeClient } from "./_edge_client.ts";

/** A document the edge serves: its version and bytes. */
export interface EdgeDocument {
  version: number;
  bytes: Uint8Array;
}

/** What the edge serves. */
export interface EdgeState {
  firstRoot: Uint8Array | undefined;
  root: EdgeDocument | undefined;
  targets: EdgeDocument | undefined;
  /** Each delegated role its snapshot lists, by name. */
  roles: Map<string, EdgeDocument>;
}

/** Largest metadata document `repo push` reads from an edge. */
export const MAX_METADATA = 16 * 1024 * 1024;

type Meta = { meta?: Record<string, { version?: unknown }> };

function versionOf(signed: unknown, name: string, where: string): number {
  const version = (signed as Meta).meta?.[name]?.version;
  if (!Number.isSafeInteger(version) || (version as number) < 1) {
    throw new Error(`Cannot push: the edge's ${where} names no valid ${name} version`);
  }
  return version as number;
}

async function document(edge: EdgeClient, path: string): Promise<Uint8Array> {
  const bytes = await edge.get(path, MAX_METADATA);
  if (!bytes) throw new Error(`Cannot push: the edge serves no ${path}`);
  return bytes;
}

/** Reads what `edge` serves (nothing but its roots when it has no timestamp yet). */
export async function readEdgeState(edge: EdgeClient): Promise<EdgeState> {
  const firstRoot = await edge.get("tuf/1.root.json", MAX_METADATA);
  const rootBytes = await edge.get("tuf/root.json", MAX_METADATA);
  const root = rootBytes
    ? {
      version: Number((decodeMetadata(rootBytes).signed as { version?: number }).version) || 0,
      bytes: rootBytes,
    }
    : undefined;
  const state: EdgeState = { firstRoot, root, targets: undefined, roles: new Map() };
  const timestamp = await edge.get("tuf/timestamp.json", MAX_METADATA);
  if (!timestamp) return state;
  const snapshotVersion = versionOf(decodeMetadata(timestamp).signed, "snapshot.json", "timestamp");
  const snapshotPath = `tuf/${snapshotVersion}.snapshot.json`;
  const snapshot = decodeMetadata(await document(edge, snapshotPath)).signed as Meta;
  for (const file of Object.keys(snapshot.meta ?? {})) {
    const name = file.replace(/\.json$/, "");
    const version = versionOf(snapshot, file, snapshotPath);
    const entry = { version, bytes: await document(edge, `tuf/${version}.${file}`) };
    if (name === "targets") state.targets = entry;
    else state.roles.set(name, entry);
  }
  return state;
}
