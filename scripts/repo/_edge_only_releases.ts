/**
 * Private: the releases a push would take off the edge that the repository never had. The edge serves
 * what its metadata resolves (top-level targets and delegated roles, TUF search); the push replaces
 * that metadata with the repository's, so a target the edge resolves and the repository does not is
 * removed from what devices are offered. When no version of the repository's metadata (`tuf/<N>.targets.json`
 * and each role's `tuf/<N>.<role>.json`, every N it kept) ever listed it with those bytes, it was
 * published from elsewhere (another pipeline, another copy of the repository): those are the ones
 * `repo push` refuses to remove without `--allow-removal`. Chunked forms go with their release and
 * are not counted.
 */
import {
  decodeMetadata,
  type GraphRole,
  parseDelegations,
  resolveTargets,
  type TargetInfo,
  targetInfoFromTuf,
} from "../../core/trust/mod.ts";
import type { EdgeDocument, EdgeState } from "./_edge_state.ts";
import type { LocalState } from "./_local_state.ts";
import type { FsRepoStore } from "./fs_repo_store.ts";

const CHUNKED_FORM = new Set(["delta-index", "delta-pack"]);
const key = (t: TargetInfo) => `${t.path}\n${t.hashes.sha256}`;

function graphRole(doc: EdgeDocument | { bytes: Uint8Array }, where: string): GraphRole {
  const signed = decodeMetadata(doc.bytes).signed as {
    targets?: Record<string, Record<string, unknown>>;
    delegations?: unknown;
  };
  return { targets: signed.targets ?? {}, delegations: parseDelegations(signed, where) };
}

/** How a release is named in messages: `OWNER/APP REF COMMIT` for an app, else its target path. */
function releaseName(target: TargetInfo): string {
  const c = target.custom as { kind?: string; name?: string; ref?: string; commit?: string };
  return c.kind === "app" && c.name && c.ref && c.commit ? `${c.name} ${c.ref} ${c.commit}` : target.path;
}

/**
 * The releases the edge resolves that the push drops and no kept version of the repository listed,
 * named `OWNER/APP REF COMMIT` (an app) or by target path, sorted.
 */
export async function edgeOnlyReleases(
  store: FsRepoStore,
  state: { local: LocalState; edge: EdgeState },
): Promise<string[]> {
  const { local, edge } = state;
  if (!edge.targets) return [];
  const graph = new Map<string, GraphRole>([["targets", graphRole(edge.targets, "the edge's targets")]]);
  for (const [name, doc] of edge.roles) graph.set(name, graphRole(doc, `the edge's role '${name}'`));
  const pushed = new Set([...local.resolved.values()].map(key));
  const dropped: TargetInfo[] = [];
  for (const [path, found] of resolveTargets(graph)) {
    const target = targetInfoFromTuf(path, found.entry);
    const kind = (target.custom as { kind?: string }).kind ?? "";
    if (!CHUNKED_FORM.has(kind) && !pushed.has(key(target))) dropped.push(target);
  }
  if (dropped.length === 0) return [];
  const had = new Set<string>();
  const documents: [string, number][] = [["targets", local.targets.version]];
  for (const [name, doc] of local.roles) documents.push([name, doc.version]);
  for (const [name, last] of documents) {
    for (let version = 1; version <= last; version++) {
      const bytes = await store.get(`tuf/${version}.${name}.json`);
      if (!bytes) continue; // not kept
      const { targets } = graphRole({ bytes }, `tuf/${version}.${name}.json`);
      for (const [path, entry] of Object.entries(targets)) had.add(key(targetInfoFromTuf(path, entry)));
    }
  }
  return dropped.filter((t) => !had.has(key(t))).map(releaseName).sort();
}
