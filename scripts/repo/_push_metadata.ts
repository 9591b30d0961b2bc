/**
 * Private: the metadata `repo push` sends, and how. Compared with what the edge serves
 * (`_edge_state.ts`), the repository's root versions above the edge's, its targets metadata and each
 * delegated role whose version the edge lacks go; what the edge has is skipped. An edge ahead of the
 * repository, or holding other bytes under a version, is refused (`E_STALE`): it was published to
 * from elsewhere.
 *
 * One document goes in its own form (`POST /v1/metadata`, `?role=ROLE`, `?role=root`); more go as one
 * metadata set `{ roots, targets, roles }` that the edge accepts or refuses whole, since some changes
 * verify only together (a new delegation: targets naming the role and its first version; a rotated
 * targets key: root and the targets its new key signs) and devices then never see half of a push.
 */
import type { FsRepoStore } from "./fs_repo_store.ts";
import type { EdgeClient } from "./_edge_client.ts";
import type { EdgeDocument, EdgeState } from "./_edge_state.ts";
import { localRoot, type LocalState } from "./_local_state.ts";
import { EdgeAnswerError } from "./edge_answer_error.ts";

/** The metadata the edge lacks, in the order the edge takes it. */
export interface Outgoing {
  roots: { version: number; bytes: Uint8Array }[];
  targets?: { version: number; bytes: Uint8Array };
  roles: { name: string; version: number; bytes: Uint8Array }[];
}

const same = (a: Uint8Array, b: Uint8Array | undefined) =>
  b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);

function stale(message: string): EdgeAnswerError {
  return new EdgeAnswerError(
    `${message} (published from elsewhere): push from the repository directory that published it, ` +
      "or sign a newer version here (each add-app, add-image or add-device-type signs one) and push " +
      "that (a push that would remove releases only the edge has names them and needs --allow-removal)",
    { status: 409, code: "E_STALE" },
  );
}

/** Refuses an edge ahead of `local` (or with other content under its version) for one document. */
function compare(
  what: string,
  docs: { local: { version: number; bytes: Uint8Array }; edge: EdgeDocument | undefined },
): void {
  const { local, edge } = docs;
  if (!edge) return;
  if (edge.version > local.version || (edge.version === local.version && !same(local.bytes, edge.bytes))) {
    throw stale(
      `Cannot push ${what} v${local.version}: the edge has ${what} v${edge.version}${
        edge.version === local.version ? " with other content" : ""
      }`,
    );
  }
}

/** What the edge lacks of the repository in `store` (read as `local`); `E_STALE` when it is ahead. */
export async function missingMetadata(
  store: FsRepoStore,
  state: { local: LocalState; edge: EdgeState; base: string },
): Promise<Outgoing> {
  const { local, edge, base } = state;
  if (!edge.firstRoot || !edge.root) {
    throw new Error(
      `Cannot push: ${base} serves no repository yet (no tuf/1.root.json); give the edge this ` +
        "repository's tuf/ first (DROVER_DATA, or the R2 bucket)",
    );
  }
  if (!same(local.firstRoot, edge.firstRoot)) {
    throw new Error(`Cannot push: ${base} serves another repository (its tuf/1.root.json differs)`);
  }
  if (edge.root.version > local.rootVersion) {
    throw stale(`Cannot push root v${local.rootVersion}: the edge has root v${edge.root.version}`);
  }
  if (!same(await localRoot(store, edge.root.version), edge.root.bytes)) {
    throw stale(`Cannot push root v${local.rootVersion}: the edge's root v${edge.root.version} differs`);
  }
  const out: Outgoing = { roots: [], roles: [] };
  for (let version = edge.root.version + 1; version <= local.rootVersion; version++) {
    out.roots.push({ version, bytes: await localRoot(store, version) });
  }
  compare("targets", { local: local.targets, edge: edge.targets });
  if ((edge.targets?.version ?? 0) < local.targets.version) out.targets = local.targets;
  for (const [name, doc] of local.roles) {
    compare(`role '${name}'`, { local: doc, edge: edge.roles.get(name) });
    if ((edge.roles.get(name)?.version ?? 0) < doc.version) out.roles.push({ name, ...doc });
  }
  for (const [name, doc] of edge.roles) {
    if (!local.roles.has(name)) throw stale(`Cannot push: the edge has role '${name}' v${doc.version}`);
  }
  return out;
}

/** Sends `out` (one document in its own form, more as one metadata set); the edge's answer. */
export async function sendMetadata(edge: EdgeClient, out: Outgoing): Promise<Record<string, unknown>> {
  const { roots, targets, roles } = out;
  const count = roots.length + (targets ? 1 : 0) + roles.length;
  if (count === 0) return {};
  if (count === 1) {
    if (targets) return await edge.postMetadata(targets.bytes, { what: `targets v${targets.version}` });
    const root = roots[0];
    if (root) return await edge.postMetadata(root.bytes, { role: "root", what: `root v${root.version}` });
    const role = roles[0]!;
    return await edge.postMetadata(role.bytes, {
      role: role.name,
      what: `role '${role.name}' v${role.version}`,
    });
  }
  const text = new TextDecoder();
  const parse = (bytes: Uint8Array) => JSON.parse(text.decode(bytes));
  const set: Record<string, unknown> = {};
  if (roots.length > 0) set.roots = roots.map((r) => parse(r.bytes));
  if (targets) set.targets = parse(targets.bytes);
  if (roles.length > 0) set.roles = Object.fromEntries(roles.map((r) => [r.name, parse(r.bytes)]));
  const what = [
    ...roots.map((r) => `root v${r.version}`),
    ...(targets ? [`targets v${targets.version}`] : []),
    ...roles.map((r) => `role '${r.name}' v${r.version}`),
  ].join(", ");
  return await edge.postMetadata(new TextEncoder().encode(JSON.stringify(set)), { what });
}
