/**
 * Private: the state a {@linkcode RepositoryWriter} signs from (its store, keys, clock and the current
 * metadata of each role), shared with the private files that do its work: `_writer_opening.ts`,
 * `_pending_targets.ts`, `_targets_publishing.ts`, `_delegated_writes.ts`, `_root_signing.ts` and
 * `_snapshot_signing.ts`.
 * The writer holds it in a private field and serialises every call that changes it.
 */
import type { DelegatedRoles } from "./_delegated_roles.ts";
import type { SignedByRole } from "./_metadata.ts";
import type { StagedTargets } from "./_threshold_signing.ts";
import type { Envelope } from "./envelope.ts";
import type { KeyPair } from "./key_pair.ts";
import type { RepoStore } from "./repo_store.ts";
import type { TargetInfo } from "./target_info.ts";
import type { RoleName } from "./verify_envelope.ts";

/** The signed metadata of a top-level role. */
export type Env<R extends RoleName> = Envelope<SignedByRole[R]>;

/** What a repository writer knows and holds. */
export interface WriterState {
  store: RepoStore;
  /** The keys at hand, by role (`rotateKey` replaces one). */
  keys: Partial<Record<RoleName, KeyPair[]>>;
  /** Days until expiry, by role. */
  days: Record<RoleName, number>;
  clock: () => Date;
  /** The current metadata of the four roles (snapshot and timestamp are unset while `init` signs v1). */
  root: Env<"root">;
  targets: Env<"targets">;
  snapshot: Env<"snapshot">;
  /** The bytes of `snapshot`, as written (timestamp references them). */
  snapshotBytes: Uint8Array;
  timestamp: Env<"timestamp">;
  /** Targets v+1 signed below root's threshold, waiting in `staged/targets.json` for more signatures. */
  staged?: Env<"targets">;
  /** Called when a commit stages targets metadata instead of publishing it. */
  onStaged?: (staged: StagedTargets) => void;
  /** The targets as they will be committed (including uncommitted changes); of `role` when set. */
  pending: Map<string, TargetInfo>;
  /** The delegated role the writer is opened for, and its keys. */
  role?: { name: string; keys: KeyPair[] };
  /** The delegated roles' current metadata. */
  delegated: DelegatedRoles;
}

/** The keys at hand for `role`; `TypeError` when there are none. */
export function needKeys(state: WriterState, role: RoleName): KeyPair[] {
  const keys = state.keys[role];
  if (!keys?.length) throw new TypeError(`Cannot sign ${role} metadata: no ${role} key given`);
  return keys;
}

/** Current versions of the four roles. */
export function versionsOf(state: WriterState): Record<RoleName, number> {
  return {
    root: state.root.signed.version,
    targets: state.targets.signed.version,
    snapshot: state.snapshot.signed.version,
    timestamp: state.timestamp.signed.version,
  };
}

/** Whether `role`'s current metadata has less than half its lifetime (`days`) left. */
export function pastHalfLife(state: WriterState, role: RoleName): boolean {
  const halfLife = (state.days[role] * 86_400_000) / 2;
  return Date.parse(state[role].signed.expires) - state.clock().getTime() < halfLife;
}
