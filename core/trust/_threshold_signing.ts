/**
 * Private: signing by several holders (thresholds) for {@linkcode RepositoryWriter}. Targets
 * metadata signed by fewer valid keys than root's threshold is not published: it waits in
 * `staged/targets.json` of the repository (never under `tuf/`, so no client sees it) until more
 * holders add their signatures (`RepositoryWriter.signStaged`, `repo sign`).
 */
import { parseRole, type SignedByRole } from "./_metadata.ts";
import { encodeMetadata, type Envelope } from "./envelope.ts";
import type { KeyPair } from "./key_pair.ts";
import type { RepoStore } from "./repo_store.ts";
import { type RoleName, type RootKeys, verifyEnvelope } from "./verify_envelope.ts";

/** Where staged targets metadata waits, relative to the repository root. */
export const STAGED_TARGETS_PATH = "staged/targets.json";

/** The keys at hand for each role: one, or several (holders of a threshold). */
export type RoleKeyring = { [R in RoleName]?: KeyPair | readonly KeyPair[] };

/** What is staged, and what it lacks. */
export interface StagedTargets {
  role: "targets";
  version: number;
  /** Relative to the repository root. */
  path: string;
  /** Valid signatures by distinct keys of the role. */
  signatures: number;
  threshold: number;
  /** Keyids of the role that have not signed yet. */
  missing: string[];
}

/** `keys` as arrays per role (duplicates by keyid dropped). */
export function keyringOf(keys: RoleKeyring): Partial<Record<RoleName, KeyPair[]>> {
  const out: Partial<Record<RoleName, KeyPair[]>> = {};
  for (const [role, k] of Object.entries(keys) as [RoleName, KeyPair | readonly KeyPair[] | undefined][]) {
    if (k === undefined) continue;
    const list = (Array.isArray(k) ? k : [k]) as KeyPair[];
    const seen = new Set<string>();
    out[role] = list.filter((key) => !seen.has(key.keyid) && seen.add(key.keyid));
  }
  return out;
}

/** Valid signatures of `env` by distinct keys `root` lists for `role` (0 when none). */
export function validSignatures(env: Envelope<unknown>, root: RootKeys, role: RoleName): Promise<number> {
  const def = root.roles[role];
  if (!def) return Promise.resolve(0);
  return verifyEnvelope(env, { keys: root.keys, roles: { [role]: { ...def, threshold: 1 } } }, role)
    .catch(() => 0);
}

/** The staged state of `env` against `root`. */
export async function stagedInfo(
  env: Envelope<SignedByRole["targets"]>,
  root: RootKeys,
): Promise<StagedTargets> {
  const signed = new Set(env.signatures.map((s) => s.keyid));
  const def = root.roles.targets;
  return {
    role: "targets",
    version: env.signed.version,
    path: STAGED_TARGETS_PATH,
    signatures: await validSignatures(env, root, "targets"),
    threshold: def?.threshold ?? 1,
    missing: (def?.keyids ?? []).filter((k) => !signed.has(k)),
  };
}

/** The staged targets metadata that would follow `publishedVersion`, or `undefined` (none, or stale). */
export async function readStaged(
  store: RepoStore,
  publishedVersion: number,
): Promise<Envelope<SignedByRole["targets"]> | undefined> {
  const bytes = await store.get(STAGED_TARGETS_PATH);
  if (!bytes) return undefined;
  const env = parseRole("targets", bytes);
  return env.signed.version === publishedVersion + 1 ? env : undefined;
}

/** Write staged targets metadata. */
export function putStaged(store: RepoStore, env: Envelope<SignedByRole["targets"]>): Promise<void> {
  return store.put(STAGED_TARGETS_PATH, encodeMetadata(env));
}

/** Remove staged targets metadata (stores without `remove` keep it: it is stale once published). */
export async function removeStaged(store: RepoStore): Promise<void> {
  await store.remove?.(STAGED_TARGETS_PATH);
}
